import Foundation
import SMPP
import Simulators
import Testing

extension SMPPLinkTests {
    /// One way the SMSC takes the receiver of a pair down, leaving the transmitter alone.
    enum ReceiverFault: String, CaseIterable, Sendable {
        case unbind, drop
    }

    /// Waits until `check` holds on the link, for at most 10 s; returns whether it did.
    func waitFor(_ link: SMPPLink, _ check: @Sendable (ReceiverSessionStatus?) -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if check(await link.receiverStatus) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The SMSC unbinding or dropping only the receiver session is reported as the receiver going
    /// down with its reason. Submits on the transmitter still succeed meanwhile, and the receiver
    /// binds again on its own and takes receipts again.
    @Test(arguments: ReceiverFault.allCases)
    func receiverDownLeavesSubmitsWorking(fault: ReceiverFault) async throws {
        let harness = try await makeHarness(pair: true, waitForBinds: 2)
        #expect(try await waitFor(harness.link) { $0?.isBound == true })
        for _ in 0..<500 where await !harness.link.isBound {
            try await Task.sleep(for: .milliseconds(20))
        }
        // Keep the receiver down until the test lets it bind again.
        await harness.simulator.failBinds([.receiver], status: .systemError)
        switch fault {
        case .unbind: await harness.simulator.unbind(boundAs: .receiver)
        case .drop: await harness.simulator.dropConnections(boundAs: .receiver)
        }
        let down = await harness.events.next { if case .receiverSessionDown = $0 { true } else { false } }
        guard case .receiverSessionDown(let reason)? = down else {
            Issue.record("no receiverSessionDown")
            return await harness.stop()
        }
        if fault == .unbind {
            #expect(reason == .unboundBySMSC)
        }
        #expect(try await waitFor(harness.link) { $0?.downReason == .bindRejected(.systemError) })
        #expect(await harness.link.isBound)
        #expect(!(await harness.events.all.contains { if case .linkDown = $0 { true } else { false } }))

        let submit = harness.link.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Up".utf8))
        #expect(try await harness.link.submit(submit) == .accepted(messageID: "1", messageIDKey: "1"))

        await harness.simulator.failBinds([])
        #expect(try await waitFor(harness.link) { $0?.isBound == true })
        #expect(try await harness.link.submit(submit) == .accepted(messageID: "2", messageIDKey: "2"))
        let receipt = await harness.events.next { if case .deliveryReceipt(_, "2", _) = $0 { true } else { false } }
        #expect(receipt != nil)
        await harness.stop()
    }

    /// A receiver whose bind_resp carries an error is down from the start, with the status as its
    /// reason, and keeps its first down time across the failed re-binds.
    @Test func receiverBindErrorIsReported() async throws {
        let simulator = SMSCSimulator()
        await simulator.failBinds([.receiver], status: .systemError)
        let port = try await simulator.start()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: port,
            systemID: "lifeline",
            password: "secret",
            bindsTransmitterAndReceiver: true
        )
        let link = try SMPPLink(settings: settings, backoff: Self.backoff, logger: .disabled)
        let events = EventLog(link.events)
        try await link.start()
        let first = await events.next { if case .receiverSessionDown = $0 { true } else { false } }
        #expect(first == .receiverSessionDown(.bindRejected(.systemError)))
        let since = await link.receiverStatus?.since
        let again = await events.next { if case .receiverSessionDown = $0 { true } else { false } }
        #expect(again == .receiverSessionDown(.bindRejected(.systemError)))
        #expect(await link.receiverStatus?.since == since)
        #expect(await link.isBound)
        await link.stop()
        await simulator.stop()
    }

    /// Stopping the link unbinds the receiver too, and that is not reported as a receiver outage.
    @Test func stopIsNoReceiverOutage() async throws {
        let harness = try await makeHarness(pair: true, waitForBinds: 2)
        #expect(try await waitFor(harness.link) { $0?.isBound == true })
        await harness.link.stop()
        // Returns nil once the event stream has finished.
        _ = await harness.events.next { _ in false }
        #expect(!(await harness.events.all.contains { if case .receiverSessionDown = $0 { true } else { false } }))
        await harness.simulator.stop()
    }

    /// A link with one session has no receiver status.
    @Test func singleSessionHasNoReceiverStatus() async throws {
        let harness = try await makeHarness()
        #expect(await harness.link.receiverStatus == nil)
        await harness.stop()
    }
}
