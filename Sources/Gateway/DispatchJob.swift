import Foundation
import Store

/// One claimed message on its way through the pool, owned by the dispatcher's actor.
struct DispatchJob: Sendable {
    var message: MessageRecord
    /// Providers excluded by the stored attempts: accepted ones and those before them, ambiguous ones.
    var historyExcluded: Set<String>
    /// `historyExcluded` plus the providers that failed during this claim.
    var excluded: Set<String>
    /// `provider: reason` for each failed attempt of this claim, for the final reason.
    var reasons: [String] = []
    /// Attempts over all claims, including this one's.
    var attempts: Int
    /// The end of the priority's max wait, set when the message first has to wait for a provider.
    var waitDeadline: Date?

    init(message: MessageRecord, historyExcluded: Set<String>) {
        self.message = message
        self.historyExcluded = historyExcluded
        self.excluded = historyExcluded
        self.attempts = message.attempts
    }

    var id: MessageID { message.id }

    /// Whether this claim excluded a provider that a later claim may try again.
    var failedOnlyForNow: Bool { excluded != historyExcluded }
}

/// The next thing a dispatch job does.
enum DispatchStep: Sendable {
    /// Hand the message to this provider; the attempt row is committed.
    case send(providerID: String, attemptID: AttemptID, attempt: Int)
    /// Sleep until `until` or a signal newer than `generation`, then route again.
    case wait(until: Date?, generation: UInt64)
    /// The message left the job's hands (a new state is stored, or kept in `PendingWrites`).
    case finished
}
