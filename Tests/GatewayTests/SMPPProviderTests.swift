import Config
import Diagnostics
import Foundation
import Gateway
import SMPP
import Simulators
import Store
import Testing

/// The SMPP provider against the SMSC simulator on 127.0.0.1: inbound SMS, long-message forms and
/// the transmitter and receiver pair, as the config selects them.
@Suite(.timeLimit(.minutes(1)))
struct SMPPProviderTests {
    /// Collects what a handler is given, for a test to wait on.
    actor Collector<Value: Sendable> {
        private(set) var values: [Value] = []
        func append(_ value: Value) { values.append(value) }
    }

    func makeProvider(
        port: UInt16,
        logs: InMemoryLogHandler,
        configure: (inout SMPPSettings) -> Void = { _ in }
    ) throws -> SMPPProvider {
        var settings = SMPPSettings(host: "127.0.0.1", systemID: "lifeline", password: Secret("secret"))
        settings.port = Int(port)
        settings.source = "Lifeline"
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

    /// A two-part inbound SMS reaches onInbound once, joined, and is logged at info without the
    /// sender's full number.
    @Test func inboundReachesHandler() async throws {
        let simulator = SMSCSimulator()
        let port = try await simulator.start()
        let logs = InMemoryLogHandler()
        let provider = try makeProvider(port: port, logs: logs)
        let inbound = Collector<InboundSMS>()
        provider.onInbound = { await inbound.append($0); return true }
        await provider.start(reports: { _ in })
        await provider.waitUntilReady(timeout: .seconds(10))

        for (sequence, text) in [(UInt8(1), "Is the"), (2, " campus open?")] {
            await simulator.sendDeliverSM(
                DeliverSM(
                    sourceAddressTON: 1,
                    sourceAddressNPI: 1,
                    sourceAddress: "447700900987",
                    destinationAddress: "60123",
                    esmClass: 0x40,
                    shortMessage: [0x05, 0x00, 0x03, 0x09, 0x02, sequence] + Array(text.utf8)
                )
            )
        }
        try await eventually("inbound SMS handed over") { await inbound.values.count == 1 }
        #expect(await inbound.values.first?.text == "Is the campus open?")
        #expect(await inbound.values.first?.sender == "447700900987")

        let record = logs.records.first { $0.message == "SMPP inbound SMS" }
        #expect(record?.level == .info)
        #expect(record?.metadata["smpp.source"].map { "\($0)" } == redactedPhoneNumber("447700900987"))
        let loud = logs.records.filter { $0.level >= .info }
        #expect(!loud.contains { "\($0.metadata)".contains("447700900987") })
        await provider.stop()
        await simulator.stop()
    }

    /// Each long_messages setting reaches the SMSC in its form and the message is accepted.
    @Test(arguments: SMPPSettings.LongMessages.allCases) func longMessageForms(_ form: SMPPSettings.LongMessages) async throws {
        let simulator = SMSCSimulator()
        let port = try await simulator.start()
        let provider = try makeProvider(port: port, logs: InMemoryLogHandler()) { $0.longMessages = form }
        await provider.start(reports: { _ in })
        await provider.waitUntilReady(timeout: .seconds(10))
        let text = String(repeating: "Shelter in place until further notice. ", count: 5)
        let outcome = await provider.send(message(text))
        guard case .accepted = outcome else {
            Issue.record("not accepted: \(outcome)")
            await provider.stop()
            return await simulator.stop()
        }
        #expect(await simulator.waitForMessages(count: 1, timeout: .seconds(10)))
        let received = await simulator.receivedMessages.first
        #expect(received?.form?.rawValue == form.rawValue)
        #expect(received?.text == text)
        await provider.stop()
        await simulator.stop()
    }

    /// With bind: transmitter_receiver against an SMSC that refuses transceivers, a message is
    /// accepted and its receipt, which arrives on the receiver session, reports it delivered.
    @Test func transmitterReceiverDeliversReceipts() async throws {
        let simulator = SMSCSimulator()
        await simulator.refuseBinds([.transceiver])
        let port = try await simulator.start()
        let provider = try makeProvider(port: port, logs: InMemoryLogHandler()) { $0.bind = .transmitterReceiver }
        let reports = Collector<DeliveryReport>()
        await provider.start(reports: { await reports.append($0) })
        await provider.waitUntilReady(timeout: .seconds(10))
        #expect(await simulator.waitForBinds(count: 2, timeout: .seconds(10)))

        let outcome = await provider.send(message("Drill at 10:00"))
        #expect(outcome == .accepted(providerMessageID: "1"))
        try await eventually("receipt reported") { await reports.values.count == 1 }
        #expect(await reports.values.first?.status == .delivered)
        #expect(await reports.values.first?.providerMessageID == "1")
        await provider.stop()
        await simulator.stop()
    }
}
