import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// Messages whose attempt was cut short by a crash follow the ambiguity rule.
@Suite struct RecoveryTests {
    /// Leaves one claimed message per priority with an attempt on `cloud` and no outcome.
    private func interruptedStore(_ priorities: [Priority], clock: ManualClock) async throws -> (
        InMemoryMessageStore, [MessageID]
    ) {
        let store = InMemoryMessageStore()
        let submissions = priorities.map { Submission(recipient: "+447700900123", text: "alarm", priority: $0) }
        let ids = try await store.enqueue(submissions, now: clock.now)
        for _ in ids {
            let message = try #require(try await store.claimNext(now: clock.now, lease: 300))
            _ = try await store.beginAttempt(messageID: message.id, providerID: "cloud", now: clock.now)
        }
        return (store, ids)
    }

    /// Emergency and high are re-queued, normal and bulk follow `onAmbiguous`.
    @Test(arguments: [PoolPolicy.AmbiguityAction.wait, .failover])
    func policyPerPriority(onAmbiguous: PoolPolicy.AmbiguityAction) async throws {
        let clock = ManualClock()
        let (store, ids) = try await interruptedStore([.emergency, .high, .normal, .bulk], clock: clock)
        let recovered = try await store.recoverInterruptedAttempts(now: clock.now)
        #expect(recovered == ids)

        let summary = try await AmbiguityRecovery.apply(
            to: recovered,
            store: store,
            policy: testPolicy(["cloud", "smpp"], onAmbiguous: onAmbiguous),
            now: clock.now,
            logger: .disabled
        )
        let expectedRequeued = onAmbiguous == .failover ? ids : Array(ids.prefix(2))
        #expect(summary.requeued == expectedRequeued)
        #expect(summary.leftUnknown == (onAmbiguous == .failover ? [] : Array(ids.suffix(2))))
        for id in ids {
            let state = try await store.message(id)?.state
            #expect(state == (expectedRequeued.contains(id) ? .queued : .unknown))
        }
    }

    /// After recovery the dispatcher sends a re-queued message through the next provider, not the interrupted one.
    @Test func requeuedGoesToNextProvider() async throws {
        let clock = ManualClock()
        let (store, ids) = try await interruptedStore([.emergency, .normal], clock: clock)
        let cloud = ScriptedProvider(id: "cloud")
        let smpp = ScriptedProvider(id: "smpp")
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], onAmbiguous: .wait),
            store: store,
            clock: clock,
            recover: true
        )
        try await harness.waitForState(ids[0], .sent)
        #expect(try await store.message(ids[0])?.providerID == "smpp")
        #expect(await cloud.callCount == 0)
        #expect(try await store.message(ids[1])?.state == .unknown)
        try await harness.finish()
    }

    /// With no provider left after the interrupted one, an emergency message fails.
    @Test func noProviderLeftFails() async throws {
        let clock = ManualClock()
        let (store, ids) = try await interruptedStore([.emergency], clock: clock)
        let recovered = try await store.recoverInterruptedAttempts(now: clock.now)
        let summary = try await AmbiguityRecovery.apply(
            to: recovered,
            store: store,
            policy: testPolicy(["cloud"]),
            now: clock.now,
            logger: .disabled
        )
        #expect(summary.failed == ids)
        let message = try #require(try await store.message(ids[0]))
        #expect(message.state == .failed)
        #expect(message.lastReason?.hasPrefix("every provider failed") == true)
    }
}
