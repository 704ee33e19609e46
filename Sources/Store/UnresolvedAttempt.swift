import Foundation

/// An attempt whose provider message id is not known, with its message: one still in flight
/// (no outcome yet), or an `ambiguous` one whose response (an SMPP `submit_sm_resp`) was lost to a
/// crash, a dropped link or a lapsed lease. A delivery receipt that matches no recorded id may
/// belong to one of these.
public struct UnresolvedAttempt: Sendable, Equatable {
    public var attempt: AttemptRecord
    /// The attempt's message as it is now, possibly failed over, failed or re-queued since.
    public var message: MessageRecord

    public init(attempt: AttemptRecord, message: MessageRecord) {
        self.attempt = attempt
        self.message = message
    }
}

extension MessageStore {
    /// Reads the newest 10,000 messages for `recipient` and their attempts; a store with a query
    /// for it does better.
    public func unresolvedAttempts(providerID: String, recipient: String) async throws -> [UnresolvedAttempt] {
        var found: [UnresolvedAttempt] = []
        for message in try await messages(limit: 10_000) where message.recipient == recipient {
            for attempt in try await attempts(for: message.id)
            where attempt.isUnresolved(on: providerID) || attempt.isOpen(on: providerID) {
                found.append(UnresolvedAttempt(attempt: attempt, message: message))
            }
        }
        return found.sorted { $0.attempt.id < $1.attempt.id }
    }

    /// Adopts with `finishAttempt(_:outcome:providerMessageID:detail:then:now:)` after re-reading
    /// the attempt; not atomic.
    public func adoptReceipt(
        attemptID: AttemptID,
        messageID: MessageID,
        providerMessageID: String,
        detail: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)? {
        guard let attempt = try await attempts(for: messageID).first(where: { $0.id == attemptID }),
            attempt.isUnresolved(on: attempt.providerID),
            let message = try await message(messageID)
        else { return nil }
        let transition = decide(message)
        try await finishAttempt(
            attemptID,
            outcome: .accepted,
            providerMessageID: providerMessageID,
            detail: detail,
            then: transition.map { (messageID: messageID, transition: $0) },
            now: now
        )
        return (message, transition)
    }
}

extension AttemptRecord {
    /// Whether this is an `ambiguous` attempt on `providerID` with no provider message id.
    public func isUnresolved(on providerID: String) -> Bool {
        self.providerID == providerID && outcome == .ambiguous && providerMessageID == nil
    }

    /// Whether this attempt on `providerID` has no outcome yet: in flight, or cut off by a crash
    /// that recovery has not marked yet.
    public func isOpen(on providerID: String) -> Bool {
        self.providerID == providerID && outcome == nil
    }
}
