import Config
import Diagnostics
import Foundation
import Gateway
import SMPP
import Simulators
import Store
import Testing

/// A `bind: transmitter_receiver` link whose receiver session goes down while the transmitter
/// stays up, against the SMSC simulator on 127.0.0.1; and outbinds the link rejects.
@Suite(.timeLimit(.minutes(1)))
struct SMPPReceiverSessionTests {
    func makeProvider(
        port: UInt16,
        logs: InMemoryLogHandler,
        configure: (inout SMPPSettings) -> Void = { _ in }
    ) throws -> SMPPProvider {
        var settings = SMPPSettings(host: "127.0.0.1", systemID: "lifeline", password: Secret("secret"))
        settings.port = Int(port)
        settings.bind = .transmitterReceiver
        configure(&settings)
        return try SMPPProvider(
            id: "carrier",
            settings: settings,
            logger: Logger(label: "provider", level: .trace, handler: logs)
        )
    }

    func message(_ text: String, id: MessageID = 1) -> OutboundSMS {
        OutboundSMS(messageID: id, attempt: 1, recipient: "+447700900123", text: text, priority: .normal)
    }

    /// With the receiver dropped and its re-binds failing, the provider stays healthy and keeps
    /// sending. One warning reports that receipts are not arriving, and the status note names the
    /// reason. Once the receiver binds again the note clears and a notice reports it.
    @Test func receiverDownIsShownNotFailedOver() async throws {
        let simulator = SMSCSimulator()
        let port = try await simulator.start()
        let logs = InMemoryLogHandler()
        let provider = try makeProvider(port: port, logs: logs)
        await provider.start(reports: { _ in })
        await provider.waitUntilReady(timeout: .seconds(10))
        try await eventually("the receiver is bound") { await provider.receiverStatus?.isBound == true }
        #expect(await provider.receiverNote == nil)

        await simulator.failBinds([.receiver], status: .systemError)
        await simulator.dropConnections(boundAs: .receiver)
        try await eventually("a re-bind failed") {
            await provider.receiverStatus?.downReason == .bindRejected(.systemError)
        }
        try await eventually("a second re-bind failed") {
            logs.records.contains { $0.message == "SMPP receiver session still down" }
        }
        let warnings = logs.records.filter { $0.message.hasPrefix("SMPP receiver session down") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
        #expect(warnings.first?.message.contains("delivery receipts and inbound SMS are not arriving") == true)
        #expect(await provider.probe() == .healthy)
        let note = try #require(await provider.receiverNote)
        #expect(note.hasPrefix("receiver down since "))
        #expect(note.contains("bind rejected"))
        #expect(await provider.send(message("Still sending")) == .accepted(providerMessageID: "1"))

        await simulator.failBinds([])
        try await eventually("the receiver is bound again") { await provider.receiverNote == nil }
        try await eventually("the recovery is logged") {
            logs.records.contains { $0.message.hasPrefix("SMPP receiver session bound again") && $0.level == .notice }
        }
        await provider.stop()
        await simulator.stop()
    }

    /// A message sent while the receiver is down, whose receipt is therefore lost, is re-routed
    /// to the next provider at its delivery deadline, as for any missing receipt.
    @Test func messageSentWhileReceiverDownKeepsItsDeadline() async throws {
        let simulator = SMSCSimulator()
        let port = try await simulator.start()
        let smpp = try makeProvider(port: port, logs: InMemoryLogHandler())
        let backup = ScriptedProvider(id: "backup", script: [.accepted(providerMessageID: "B1")])
        let clock = ManualClock()
        let store = InMemoryMessageStore()
        let dispatcher = try Dispatcher(
            store: store,
            providers: [smpp, backup],
            policy: testPolicy(["carrier", "backup"], deliveryDeadline: .seconds(60)),
            clock: clock,
            logger: .disabled
        )
        await smpp.start(reports: { await dispatcher.deliveryTracker.handle($0) })
        await smpp.waitUntilReady(timeout: .seconds(10))
        try await eventually("the receiver is bound") { await smpp.receiverStatus?.isBound == true }
        await simulator.failBinds([.receiver], status: .systemError)
        await simulator.dropConnections(boundAs: .receiver)
        try await eventually("the receiver is down") { await smpp.receiverStatus?.isBound == false }

        let runTask = Task { try await dispatcher.run() }
        let start = clock.now
        let id = try await store.enqueue(
            [Submission(recipient: "+447700900123", text: "Gate B closed", priority: .normal)],
            now: start
        )[0]
        dispatcher.wake()
        try await eventually("sent through the SMPP link") { try await store.message(id)?.providerMessageID == "1" }
        try await eventually("the loop sleeps until the delivery deadline") {
            clock.sleeperDeadlines.contains(start.addingTimeInterval(60))
        }
        clock.advance(by: 60)
        try await eventually("re-routed to the backup") { try await store.message(id)?.providerMessageID == "B1" }
        #expect(await dispatcher.deliveryTracker.counters.missedDeadlines == 1)
        await dispatcher.stop()
        try await runTask.value
        await smpp.stop()
        await simulator.stop()
    }

    /// An outbind with a wrong password is logged at warning with the remote address and the
    /// system_id it sent, and the password it sent appears in no log record.
    @Test func rejectedOutbindIsLogged() async throws {
        let simulator = SMSCSimulator()
        let port = try await simulator.start()
        let logs = InMemoryLogHandler()
        let listenerPort = try freeLoopbackPort()
        let provider = try makeProvider(port: port, logs: logs) {
            $0.bind = .transmitter
            $0.outbindPort = Int(listenerPort)
            $0.outbindAddress = "127.0.0.1"
        }
        await provider.start(reports: { _ in })
        await provider.waitUntilReady(timeout: .seconds(10))
        try await simulator.outbind(toPort: listenerPort, systemID: "intruder", password: "hunter2")
        try await eventually("the rejection is logged") {
            logs.records.contains { $0.message.hasPrefix("SMPP outbind rejected") }
        }
        let record = try #require(logs.records.first { $0.message.hasPrefix("SMPP outbind rejected") })
        #expect(record.level == .warning)
        #expect(record.metadata["smpp.outbind_system_id"].map { "\($0)" } == "intruder")
        #expect(record.metadata["smpp.peer"].map { "\($0)" }?.hasPrefix("127.0.0.1:") == true)
        #expect(!logs.records.contains { "\($0.message) \($0.metadata)".contains("hunter2") })
        #expect(await simulator.successfulBindCount == 1)
        await provider.stop()
        await simulator.stop()
    }

    /// Finds a free TCP port on 127.0.0.1 by binding port 0 and closing it.
    func freeLoopbackPort() throws -> UInt16 {
        let listener = try TCPListener(address: "127.0.0.1", port: 0)
        defer { listener.close() }
        return listener.port
    }
}
