import Foundation
import Gateway
import Store
import Testing

/// Receipts whose id no attempt recorded, through the dispatcher's tracker.
@Suite struct ReceiptAdoptionTests {
    private static func report(_ id: String, _ status: DeliveryReport.Status, text: String? = "test 0") -> DeliveryReport {
        DeliveryReport(
            providerID: "carrier",
            providerMessageID: id,
            status: status,
            reason: "stat:\(status == .delivered ? "DELIVRD" : "UNDELIV")",
            recipient: "447700900100",
            textPrefix: text
        )
    }

    private static func start(
        _ providers: [ScriptedProvider],
        onAmbiguous: PoolPolicy.AmbiguityAction
    ) async throws -> DispatchHarness {
        // A breaker that opened on the first ambiguous attempt would keep a second message from
        // its provider whenever that message is claimed after the first one's outcome.
        try await DispatchHarness.start(
            providers: providers,
            policy: testPolicy(providers.map(\.id), failureThreshold: 5, onAmbiguous: onAmbiguous)
        )
    }

    /// A bulk message left `unknown` by an ambiguous submit becomes `delivered` when its receipt
    /// comes under an id never recorded; the attempt gets the id and the event names why.
    @Test func unknownBecomesDelivered() async throws {
        let carrier = ScriptedProvider(id: "carrier", sendsDeliveryReports: true, script: [.ambiguous(reason: "no submit_sm_resp")])
        let harness = try await Self.start([carrier], onAmbiguous: .wait)
        let id = try await harness.submit(.bulk)[0]
        try await harness.waitForState(id, .unknown)

        await harness.dispatcher.deliveryTracker.handle(Self.report("900", .delivered))
        #expect(try await harness.store.message(id)?.state == .delivered)
        let attempts = try await harness.store.attempts(for: id)
        #expect(attempts.map(\.providerMessageID) == ["900"])
        #expect(attempts.map(\.outcome) == [.accepted])
        let last = try #require(try await harness.store.events(for: id).last)
        #expect(last.reason?.hasPrefix(ReceiptAdoption.reason) == true)
        #expect(await harness.dispatcher.deliveryTracker.counters.adoptedReports == 1)
        try await harness.finish()
    }

    /// A high-priority message failed because its only provider's attempt was ambiguous (high
    /// messages do not wait for a receipt) becomes `delivered` when the receipt reports delivery,
    /// the one change of a final state.
    @Test func failedForAmbiguityBecomesDelivered() async throws {
        let carrier = ScriptedProvider(id: "carrier", sendsDeliveryReports: true, script: [.ambiguous(reason: "no submit_sm_resp")])
        let harness = try await Self.start([carrier], onAmbiguous: .failover)
        let id = try await harness.submit(.high)[0]
        try await harness.waitForState(id, .failed)

        await harness.dispatcher.deliveryTracker.handle(Self.report("901", .delivered, text: nil))
        #expect(try await harness.store.message(id)?.state == .delivered)
        let states = try await harness.store.events(for: id).map(\.state)
        #expect(states.suffix(2) == [.failed, .delivered])
        try await harness.finish()
    }

    /// An undelivered receipt for an `unknown` message re-routes it to the next provider, as
    /// any undelivered receipt does.
    @Test func undeliveredReroutes() async throws {
        let carrier = ScriptedProvider(id: "carrier", sendsDeliveryReports: true, script: [.ambiguous(reason: "no submit_sm_resp")])
        let modem = ScriptedProvider(id: "modem")
        let harness = try await Self.start([carrier, modem], onAmbiguous: .wait)
        let id = try await harness.submit(.bulk)[0]
        try await harness.waitForState(id, .unknown)

        await harness.dispatcher.deliveryTracker.handle(Self.report("902", .undelivered))
        try await harness.waitForState(id, .sent)
        #expect(try await harness.store.message(id)?.providerID == "modem")
        let states = try await harness.store.events(for: id).map(\.state)
        #expect(states.contains(.undelivered))
        try await harness.finish()
    }

    /// Two ambiguous attempts that fit the receipt equally leave it unmatched: adopting one would be a guess.
    @Test func twoCandidatesAreLeftAlone() async throws {
        let carrier = ScriptedProvider(
            id: "carrier",
            sendsDeliveryReports: true,
            script: [.ambiguous(reason: "no submit_sm_resp"), .ambiguous(reason: "no submit_sm_resp")]
        )
        let harness = try await Self.start([carrier], onAmbiguous: .wait)
        let first = try await harness.submit(.bulk)[0]
        let second = try await harness.submit(.bulk)[0]
        try await harness.waitForState(first, .unknown)
        try await harness.waitForState(second, .unknown)

        await harness.dispatcher.deliveryTracker.handle(Self.report("903", .delivered))
        #expect(try await harness.store.message(first)?.state == .unknown)
        #expect(try await harness.store.message(second)?.state == .unknown)
        #expect(await harness.dispatcher.deliveryTracker.counters.adoptedReports == 0)
        try await harness.finish()
    }
}
