import Diagnostics
import SMPP
import Simulators
import Testing

/// A client that answers `deliver_sm` only when its owner says the receipt is stored, against
/// the SMSC simulator on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct DeferredDeliverResponseTests {
    private static func settings(port: UInt16) -> SMPPLinkSettings {
        var settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: port,
            systemID: "lifeline",
            password: "secret",
            sourceAddress: "Lifeline",
            sourceAddressTON: 5,
            registeredDelivery: 1
        )
        settings.defersDeliverResponse = true
        return settings
    }

    private static func start(port: UInt16) async throws -> (ESMEClient, EventLog) {
        let client = try ESMEClient(settings: settings(port: port), backoff: ESMEClientTests.backoff, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        let bound = await events.next { if case .bound = $0 { true } else { false } }
        #expect(bound != nil)
        return (client, events)
    }

    private static func nextReceipt(_ events: EventLog) async throws -> (String, DeliverSMResponder) {
        let event = await events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let receipt, _, let responder)? = event else {
            Issue.record("no receipt arrived")
            throw NoReceipt()
        }
        return (receipt.messageID, responder)
    }

    private struct NoReceipt: Error {}

    /// Checks `condition` every millisecond for at most 10 s of real time; the limit only bounds
    /// a failing test.
    private static func waitUntil(_ condition: () async -> Bool) async -> Bool {
        let limit = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < limit {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// A receipt answered with `ESME_RX_T_APPN` is sent again by the SMSC; answered OK, it is done.
    @Test func temporaryErrorIsSentAgain() async throws {
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(10)))
        let port = try await simulator.start()
        let (client, events) = try await Self.start(port: port)
        let submit = client.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Drill".utf8))
        #expect(try await client.submit(submit) == .accepted(messageID: "1", messageIDKey: "1"))

        let (first, firstResponder) = try await Self.nextReceipt(events)
        #expect(firstResponder.owesResponse)
        #expect(await simulator.unansweredReceiptCount == 1)
        firstResponder.respond(.receiverTemporaryError)

        let (second, secondResponder) = try await Self.nextReceipt(events)
        #expect(second == first)
        #expect(await simulator.receiptRetryCount == 1)
        secondResponder.respond(.ok)
        #expect(await Self.waitUntil { await simulator.unansweredReceiptCount == 0 }, "the receipt is still unanswered")
        #expect(await simulator.receiptRetryCount == 1)
        await client.stop()
        await simulator.stop()
    }

    /// A receipt left unanswered when its session ends is sent again to the next session bound
    /// with the same `system_id`.
    @Test func unansweredIsSentToTheNextSession() async throws {
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(10)))
        let port = try await simulator.start()
        let (first, firstEvents) = try await Self.start(port: port)
        let submit = first.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Drill".utf8))
        #expect(try await first.submit(submit) == .accepted(messageID: "1", messageIDKey: "1"))
        let (messageID, _) = try await Self.nextReceipt(firstEvents)
        await first.stop()

        let (second, secondEvents) = try await Self.start(port: port)
        let (again, responder) = try await Self.nextReceipt(secondEvents)
        #expect(again == messageID)
        responder.respond(.ok)
        #expect(await Self.waitUntil { await simulator.unansweredReceiptCount == 0 }, "the receipt is still unanswered")
        await second.stop()
        await simulator.stop()
    }

    /// Without deferral the session answers at once, and the event's responder owes nothing.
    @Test func immediateAnswerOwesNothing() async throws {
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(10)))
        let port = try await simulator.start()
        var settings = Self.settings(port: port)
        settings.defersDeliverResponse = false
        let client = try ESMEClient(settings: settings, backoff: ESMEClientTests.backoff, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        _ = await events.next { if case .bound = $0 { true } else { false } }
        _ = try await client.submit(client.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Drill".utf8)))
        let (_, responder) = try await Self.nextReceipt(events)
        #expect(!responder.owesResponse)
        #expect(await Self.waitUntil { await simulator.unansweredReceiptCount == 0 }, "the receipt is still unanswered")
        await client.stop()
        await simulator.stop()
    }
}
