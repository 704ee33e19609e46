import Diagnostics
import Foundation
import Store

/// Applies the ambiguity rule to messages whose attempt was cut short by a crash or power loss.
///
/// `MessageStore.recoverInterruptedAttempts(now:)` marks those attempts `ambiguous` and the
/// messages `unknown`. An `emergency` or `high` message goes back to `queued` for the next
/// provider, and so does any message when `PoolPolicy.onAmbiguous` is `failover`. Its `ambiguous`
/// attempt excludes the interrupted provider. A message that has used its attempts fails
/// instead. One with no provider left waits for the receipt of its ambiguous attempt when
/// `ReceiptWait` applies, and fails otherwise. Other messages stay `unknown` for an operator. A
/// message already waiting for a receipt (`unknown` with a `notBefore`) is left to its wait.
public enum AmbiguityRecovery {
    /// The messages recovery re-queued, left unknown, left waiting for a receipt or failed.
    public struct Summary: Sendable, Equatable {
        public var requeued: [MessageID] = []
        public var leftUnknown: [MessageID] = []
        /// Messages that wait for the receipt of their ambiguous attempt (`ReceiptWait`).
        public var waitingForReceipt: [MessageID] = []
        public var failed: [MessageID] = []

        public init() {}
    }

    /// The reason recorded on a message re-queued by `apply` at start-up.
    public static let restartReason = "outcome unknown after a restart; failing over to the next provider"

    /// Applies the rule to `messageIDs`, skipping messages that are no longer `unknown`.
    /// - Parameters:
    ///   - reason: the reason recorded on each message re-queued.
    ///   - reportingProviders: ids of the providers that send delivery receipts, for `ReceiptWait`.
    /// - Throws: the store's error. Messages handled before it keep their new state.
    public static func apply(
        to messageIDs: [MessageID],
        store: any MessageStore,
        policy: PoolPolicy,
        now: Date,
        logger: Logger,
        reason requeueReason: String = restartReason,
        reportingProviders: Set<String> = []
    ) async throws -> Summary {
        var summary = Summary()
        for id in messageIDs {
            guard let message = try await store.message(id), message.state == .unknown else { continue }
            if message.notBefore != nil {
                summary.waitingForReceipt.append(id)
                continue
            }
            guard policy.ambiguityAction(for: message.priority) == .failover else {
                summary.leftUnknown.append(id)
                logger.debug("Interrupted message left unknown", metadata: ["message.id": "\(id)"])
                continue
            }

            let attempts = try await store.attempts(for: id)
            if message.attempts < policy.maxAttempts, !AttemptHistory.hasRemainingProvider(attempts, policy: policy),
                let end = ReceiptWait.end(
                    priority: message.priority,
                    attemptCount: message.attempts,
                    attempts: attempts,
                    expiresAt: message.expiresAt,
                    policy: policy,
                    reportingProviders: reportingProviders
                ),
                let providerID = attempts.max(by: { $0.id < $1.id })?.providerID
            {
                let reason = ReceiptWait.reason(providerID: providerID, until: end)
                try await store.transition(id, Transition(to: .unknown, reason: reason, notBefore: end), now: now)
                summary.waitingForReceipt.append(id)
                logger.debug("Interrupted message waits for a receipt", metadata: ["message.id": "\(id)"])
                continue
            }
            if message.attempts >= policy.maxAttempts || !AttemptHistory.hasRemainingProvider(attempts, policy: policy)
            {
                let reason = "every provider failed: the outcome of the last attempt is unknown and no provider is left"
                try await store.transition(id, Transition(to: .failed, reason: reason), now: now)
                summary.failed.append(id)
                logger.debug("Interrupted message failed", metadata: ["message.id": "\(id)"])
                continue
            }
            try await store.transition(id, Transition(to: .queued, reason: requeueReason), now: now)
            summary.requeued.append(id)
            logger.debug("Interrupted message re-queued", metadata: ["message.id": "\(id)"])
        }
        return summary
    }
}

extension Dispatcher {
    /// Recovers attempts left without an outcome by a previous run and applies the ambiguity rule
    /// to their messages. Call it once before `run()`, and only when no other dispatcher uses the
    /// store, because it treats every attempt in flight as interrupted.
    public func recoverInterruptedAttempts() async throws -> AmbiguityRecovery.Summary {
        let now = clock.now
        let interrupted = try await store.recoverInterruptedAttempts(now: now)
        // A message left `unknown` by an earlier run, whose failover was still in memory when the
        // process died, has no open attempt; it gets the ambiguity rule again here.
        // NOTE: scans the newest 10,000 messages; a store query by state would cover all.
        let stranded = try await store.messages(limit: 10_000).filter { $0.state == .unknown }.map(\.id)
        let ids = Array(Set(interrupted + stranded)).sorted()
        let summary = try await AmbiguityRecovery.apply(
            to: ids,
            store: store,
            policy: policy,
            now: now,
            logger: logger,
            reportingProviders: reportingProviders
        )
        if !summary.requeued.isEmpty { signal.ring() }
        return summary
    }
}
