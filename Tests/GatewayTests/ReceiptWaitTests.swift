import Diagnostics
import Foundation
import Store
import Testing

@testable import Gateway

/// The stores the dispatcher tests of `ReceiptWait` run on.
enum ReceiptWaitStoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite

    var testDescription: String { rawValue }
}

/// A dispatcher over a store of either kind, scripted providers and a manual clock.
private struct WaitHarness {
    let clock: ManualClock
    let store: any MessageStore
    let dispatcher: Dispatcher
    let runTask: Task<Void, Error>
    let directory: URL?

    static func start(
        _ kind: ReceiptWaitStoreKind,
        providers: [ScriptedProvider],
        policy: PoolPolicy,
        prepare: (any MessageStore, ManualClock) async throws -> Void = { _, _ in }
    ) async throws -> WaitHarness {
        let clock = ManualClock()
        var directory: URL?
        let store: any MessageStore
        switch kind {
        case .memory:
            store = InMemoryMessageStore()
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receipt-wait-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            directory = folder
            store = try await SQLiteStore(path: folder.appendingPathComponent("queue.sqlite").path, notifiesWakeListener: false)
        }
        try await prepare(store, clock)
        let dispatcher = try Dispatcher(store: store, providers: providers, policy: policy, clock: clock, logger: .disabled)
        _ = try await dispatcher.recoverInterruptedAttempts()
        let runTask = Task { try await dispatcher.run() }
        return WaitHarness(clock: clock, store: store, dispatcher: dispatcher, runTask: runTask, directory: directory)
    }

    /// Queues one message to `+447700900<suffix>` with the text `test <suffix>` and wakes the dispatcher.
    func submit(_ priority: Priority, suffix: Int = 100) async throws -> MessageID {
        let submission = Submission(recipient: "+447700900\(suffix)", text: "test \(suffix)", priority: priority)
        let id = try await store.enqueue([submission], now: clock.now)[0]
        dispatcher.wake()
        return id
    }

    func waitForState(_ id: MessageID, _ state: MessageState) async throws {
        try await eventually("message \(id) in state \(state)") {
            try await store.message(id)?.state == state
        }
    }

    /// Waits until the message is `unknown` with the end of a wait for a receipt, and returns that end.
    func waitForReceiptWait(_ id: MessageID) async throws -> Date {
        try await eventually("message \(id) waiting for a receipt") {
            let message = try await store.message(id)
            return message?.state == .unknown && message?.notBefore != nil
        }
        return try #require(try await store.message(id)?.notBefore)
    }

    /// Waits until the dispatcher sleeps with an alarm at `end`, then lets time pass to just after
    /// it. Advancing earlier could fall between the loop's claim and its look at the next wake
    /// date, which counts only dates still ahead.
    func advancePastAlarm(at end: Date) async throws {
        try await eventually("the dispatcher's alarm at \(end)") { clock.sleeperDeadlines.contains(end) }
        clock.advance(to: end.addingTimeInterval(1))
    }

    func finish() async throws {
        await dispatcher.stop()
        try await runTask.value
        if let store = store as? SQLiteStore { await store.close() }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

/// An ambiguous attempt on a provider that sends receipts, with no provider left: `normal` and
/// `bulk` messages wait for the receipt instead of failing.
@Suite struct ReceiptWaitTests {
    private static let deadline: Duration = .seconds(600)

    private static func policy(
        _ providers: [String],
        onAmbiguous: PoolPolicy.AmbiguityAction = .failover,
        maxAttempts: Int = 5
    ) -> PoolPolicy {
        testPolicy(
            providers,
            failureThreshold: 5,
            deliveryDeadline: deadline,
            onAmbiguous: onAmbiguous,
            maxAttempts: maxAttempts
        )
    }

    private static func carrier(_ script: [SendOutcome] = [.ambiguous(reason: "no submit_sm_resp")]) -> ScriptedProvider {
        ScriptedProvider(id: "carrier", sendsDeliveryReports: true, script: script)
    }

    /// A receipt for the ambiguous attempt during the wait makes the message `delivered`, and it
    /// is not sent again when the wait would have ended.
    @Test(arguments: ReceiptWaitStoreKind.allCases)
    func receiptDuringWaitDelivers(kind: ReceiptWaitStoreKind) async throws {
        let carrier = Self.carrier()
        let harness = try await WaitHarness.start(kind, providers: [carrier], policy: Self.policy(["carrier"]))
        let id = try await harness.submit(.bulk)
        let end = try await harness.waitForReceiptWait(id)
        #expect(end == harness.clock.now.adding(Self.deadline))
        #expect(try await harness.store.message(id)?.lastReason?.hasPrefix("outcome unknown: waiting until") == true)

        let report = DeliveryReport(
            providerID: "carrier",
            providerMessageID: "900",
            status: .delivered,
            reason: "stat:DELIVRD",
            recipient: "447700900100",
            textPrefix: "test 100"
        )
        await harness.dispatcher.deliveryTracker.handle(report)
        #expect(try await harness.store.message(id)?.state == .delivered)

        harness.clock.advance(to: end.addingTimeInterval(1))
        let later = try await harness.submit(.bulk, suffix: 101)
        try await harness.waitForState(later, .sent)
        #expect(await carrier.calls.map(\.messageID) == [id, later])
        #expect(try await harness.store.message(id)?.state == .delivered)
        #expect(try await harness.store.attempts(for: id).map(\.outcome) == [.accepted])
        try await harness.finish()
    }

    /// With no receipt by the end of the wait, the attempt is taken as never received and the
    /// message goes out once more through the same provider, and no more after that.
    @Test(arguments: ReceiptWaitStoreKind.allCases)
    func noReceiptSendsAgainOnce(kind: ReceiptWaitStoreKind) async throws {
        let carrier = Self.carrier([.ambiguous(reason: "no submit_sm_resp"), .accepted(providerMessageID: "m-2")])
        let harness = try await WaitHarness.start(kind, providers: [carrier], policy: Self.policy(["carrier"]))
        let id = try await harness.submit(.normal)
        let end = try await harness.waitForReceiptWait(id)

        try await harness.advancePastAlarm(at: end)
        try await harness.waitForState(id, .sent)
        #expect(await carrier.callCount == 2)
        let attempts = try await harness.store.attempts(for: id)
        #expect(attempts.map(\.outcome) == [.notReceived, .accepted])
        #expect(attempts.map(\.providerID) == ["carrier", "carrier"])
        let reasons = try await harness.store.events(for: id).compactMap(\.reason)
        #expect(reasons.contains(SQLiteStore.receiptWaitEndedReason))

        // The resent message's own delivery deadline passes without a receipt: no provider is
        // left after the one that accepted it, so it is not sent a third time.
        harness.clock.advance(by: Self.deadline.timeInterval + 1)
        let later = try await harness.submit(.bulk, suffix: 101)
        try await harness.waitForState(later, .sent)
        #expect(await carrier.calls.map(\.messageID) == [id, id, later])
        #expect(try await harness.store.message(id)?.state == .sent)
        try await harness.finish()
    }

    /// Under `on_ambiguous: wait` the message stays `unknown` for an operator, with no end.
    @Test(arguments: ReceiptWaitStoreKind.allCases)
    func waitPolicyLeavesUnknown(kind: ReceiptWaitStoreKind) async throws {
        let carrier = Self.carrier()
        let harness = try await WaitHarness.start(kind, providers: [carrier], policy: Self.policy(["carrier"], onAmbiguous: .wait))
        let id = try await harness.submit(.bulk)
        try await harness.waitForState(id, .unknown)
        #expect(try await harness.store.message(id)?.notBefore == nil)

        harness.clock.advance(by: 10 * Self.deadline.timeInterval)
        let later = try await harness.submit(.bulk, suffix: 101)
        try await harness.waitForState(later, .sent)
        #expect(await carrier.calls.map(\.messageID) == [id, later])
        #expect(try await harness.store.message(id)?.state == .unknown)
        try await harness.finish()
    }

    /// Emergency and high messages do not wait: they fail over to the next provider at once, or
    /// fail when none is left. A bulk message with a provider left fails over at once too.
    @Test(arguments: [
        (Priority.emergency, true, MessageState.sent),
        (.high, true, .sent),
        (.bulk, true, .sent),
        (.emergency, false, .failed),
        (.high, false, .failed),
    ])
    func failsOverWithoutWaiting(priority: Priority, withCloud: Bool, expected: MessageState) async throws {
        let carrier = Self.carrier()
        let cloud = ScriptedProvider(id: "cloud")
        let providers = withCloud ? [carrier, cloud] : [carrier]
        let harness = try await WaitHarness.start(.memory, providers: providers, policy: Self.policy(providers.map(\.id)))
        let id = try await harness.submit(priority)
        try await harness.waitForState(id, expected)
        let message = try #require(try await harness.store.message(id))
        #expect(message.notBefore == nil)
        #expect(message.providerID == (withCloud ? "cloud" : "carrier"))
        try await harness.finish()
    }

    /// No wait for a message that has used its attempts, nor for a provider that sends no receipts.
    @Test(arguments: [(1, true), (5, false)])
    func failsWhenTheRuleDoesNotApply(maxAttempts: Int, reports: Bool) async throws {
        let carrier = ScriptedProvider(id: "carrier", sendsDeliveryReports: reports, script: [.ambiguous(reason: "timeout")])
        let harness = try await WaitHarness.start(
            .memory,
            providers: [carrier],
            policy: Self.policy(["carrier"], maxAttempts: maxAttempts)
        )
        let id = try await harness.submit(.bulk)
        try await harness.waitForState(id, .failed)
        try await harness.finish()
    }

    /// An attempt cut off by a crash, found at start-up, waits for its receipt too, then is sent again.
    @Test(arguments: ReceiptWaitStoreKind.allCases)
    func interruptedAttemptWaits(kind: ReceiptWaitStoreKind) async throws {
        let carrier = Self.carrier([])
        var interrupted: MessageID?
        let harness = try await WaitHarness.start(kind, providers: [carrier], policy: Self.policy(["carrier"])) {
            store,
            clock in
            let submission = Submission(recipient: "+447700900100", text: "test 100", priority: .bulk)
            let id = try await store.enqueue([submission], now: clock.now)[0]
            _ = try await store.claimNext(now: clock.now, lease: 300)
            _ = try await store.beginAttempt(messageID: id, providerID: "carrier", now: clock.now)
            interrupted = id
        }
        let id = try #require(interrupted)
        let end = try await harness.waitForReceiptWait(id)
        #expect(end == harness.clock.now.adding(Self.deadline))
        #expect(await carrier.callCount == 0)

        try await harness.advancePastAlarm(at: end)
        try await harness.waitForState(id, .sent)
        #expect(await carrier.calls.map(\.messageID) == [id])
        #expect(try await harness.store.attempts(for: id).map(\.outcome) == [.notReceived, .accepted])
        try await harness.finish()
    }
}
