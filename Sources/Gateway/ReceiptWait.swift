import Foundation
import Store

/// The wait for the delivery receipt of an ambiguous attempt, instead of failing the message.
///
/// When a `normal` or `bulk` message under `PoolPolicy.AmbiguityAction.failover` has no provider
/// left after an ambiguous attempt, the ambiguity rule would fail it. If that attempt went to a
/// provider that sends delivery receipts (an SMPP link with `registered_delivery`, a cloud
/// provider with callbacks), its receipt reports what happened. So the message waits for it, like
/// a `sent` message, for the priority's delivery deadline counted from the moment the attempt
/// became ambiguous. It waits in state `unknown`, with the end of the wait stored as its
/// `notBefore`. Any box of a shared queue can then end the wait, even if the box that started it
/// dies:
///
/// - a receipt matched to the attempt (by id, or adopted by `ReceiptMatcher`) moves the message as
///   the receipt says (`ReceiptAdoption`);
/// - with none by the end, the store's next claim marks the attempt `not_received` and puts the
///   message back in the queue, and it is sent again, through the same provider when no other is
///   left, counting toward `PoolPolicy.maxAttempts`.
///
/// The rule does not apply to `emergency` and `high` messages (they fail over at once and do not
/// wait), under `AmbiguityAction.wait` (the message stays `unknown` for an operator, with no end),
/// to a message that has used its attempts, or to a provider that sends no receipts, where a
/// missing receipt proves nothing.
public enum ReceiptWait {
    /// Returns the end of the wait for a message of `priority` with `attempts` (its stored attempt
    /// rows, `attemptCount` of them counted), or `nil` when the rule does not apply.
    ///
    /// The latest attempt must be `ambiguous`, finished, without a provider message id, and to a
    /// provider in `reportingProviders`. The end is that attempt's `finishedAt` plus the
    /// priority's delivery deadline; it is never after `expiresAt`.
    public static func end(
        priority: Priority,
        attemptCount: Int,
        attempts: [AttemptRecord],
        expiresAt: Date?,
        policy: PoolPolicy,
        reportingProviders: Set<String>
    ) -> Date? {
        guard priority == .normal || priority == .bulk, policy.ambiguityAction(for: priority) == .failover,
            attemptCount < policy.maxAttempts,
            let latest = attempts.max(by: { $0.id < $1.id }),
            latest.outcome == .ambiguous, latest.providerMessageID == nil,
            reportingProviders.contains(latest.providerID),
            let finishedAt = latest.finishedAt
        else { return nil }
        let end = finishedAt.adding(policy.settings(for: priority).deliveryDeadline)
        guard let expiresAt else { return end }
        return min(end, expiresAt)
    }

    /// Returns the event reason of a message that starts waiting for a receipt from `providerID` until `end`.
    public static func reason(providerID: String, until end: Date) -> String {
        "outcome unknown: waiting until \(end.formatted(.iso8601)) for a delivery receipt from \(providerID); "
            + "sent again then if none comes"
    }
}
