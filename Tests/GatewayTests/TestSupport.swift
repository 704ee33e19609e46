import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// A condition a test waited for did not hold within the time limit.
struct WaitTimedOut: Error, CustomStringConvertible {
    var condition: String
    var description: String { "timed out waiting for: \(condition)" }
}

/// Waits until `condition` holds, checking after each scheduling turn, for at most `timeout` of
/// real time. The limit only bounds a failing test; passing tests never depend on it.
func eventually(
    _ condition: String,
    timeout: Duration = .seconds(20),
    _ check: () async throws -> Bool
) async throws {
    let limit = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < limit {
        if try await check() { return }
        try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("timed out waiting for: \(condition)")
    throw WaitTimedOut(condition: condition)
}

/// A dispatcher over an in-memory store, scripted providers and a manual clock, running in a task.
struct DispatchHarness {
    let clock: ManualClock
    let store: InMemoryMessageStore
    let providers: [ScriptedProvider]
    let dispatcher: Dispatcher
    let runTask: Task<Void, Error>
    let logs: InMemoryLogHandler

    static func start(
        providers: [ScriptedProvider],
        policy: PoolPolicy,
        store: InMemoryMessageStore = InMemoryMessageStore(),
        clock: ManualClock = ManualClock(),
        recover: Bool = false
    ) async throws -> DispatchHarness {
        let logs = InMemoryLogHandler()
        let dispatcher = try Dispatcher(
            store: store,
            providers: providers,
            policy: policy,
            clock: clock,
            logger: Logger(label: "dispatcher", level: .trace, handler: logs)
        )
        if recover { _ = try await dispatcher.recoverInterruptedAttempts() }
        let runTask = Task { try await dispatcher.run() }
        return DispatchHarness(
            clock: clock,
            store: store,
            providers: providers,
            dispatcher: dispatcher,
            runTask: runTask,
            logs: logs
        )
    }

    /// Queues messages and wakes the dispatcher, as intake does.
    @discardableResult
    func submit(
        _ priority: Priority,
        count: Int = 1,
        expiresAt: Date? = nil
    ) async throws -> [MessageID] {
        let submissions = (0..<count).map { index in
            Submission(
                recipient: "+447700900\(100 + index % 900)",
                text: "test \(index)",
                priority: priority,
                expiresAt: expiresAt
            )
        }
        let ids = try await store.enqueue(submissions, now: clock.now)
        dispatcher.wake()
        return ids
    }

    /// Waits until the message reaches `state`.
    func waitForState(_ id: MessageID, _ state: MessageState) async throws {
        try await eventually("message \(id) in state \(state)") {
            try await store.message(id)?.state == state
        }
    }

    /// Stops the dispatcher and waits for its loop to return.
    func finish() async throws {
        await dispatcher.stop()
        try await runTask.value
    }
}

/// A pool policy for tests; by default each breaker opens after one failure.
func testPolicy(
    _ providerIDs: [String],
    failureThreshold: Int = 1,
    ratePerSecond: Double? = nil,
    maxConcurrentSends: Int = 4,
    maxInFlight: Int = 4,
    maxWait: Duration = .seconds(10),
    deliveryDeadline: Duration = .seconds(600),
    onAmbiguous: PoolPolicy.AmbiguityAction = .wait,
    maxAttempts: Int = 10
) -> PoolPolicy {
    PoolPolicy(
        providers: providerIDs.map {
            PoolPolicy.ProviderPolicy(
                id: $0,
                ratePerSecond: ratePerSecond,
                burst: 1,
                maxConcurrentSends: maxConcurrentSends,
                breaker: CircuitBreaker.Settings(failureThreshold: failureThreshold, cooldown: .seconds(30))
            )
        },
        defaultPriorityPolicy: PoolPolicy.PriorityPolicy(maxWait: maxWait, deliveryDeadline: deliveryDeadline),
        onAmbiguous: onAmbiguous,
        maxAttempts: maxAttempts,
        maxInFlight: maxInFlight,
        retryDelay: .seconds(15)
    )
}
