import Foundation
import Store

/// A `MessageStore` over a real `SQLiteStore` whose writes fail while `failing` is set, as they
/// do on a full disk: each throws `StoreError.diskFull` and changes nothing. Reads pass through.
final class FailingWritesStore: MessageStore, @unchecked Sendable {
    // @unchecked: `lock` guards `isFailing` and `refused`; `base` is Sendable.
    private let base: SQLiteStore
    private let lock = NSLock()
    private var isFailing = false
    private var refused = 0

    init(_ base: SQLiteStore) {
        self.base = base
    }

    /// Whether writes fail now.
    var failing: Bool {
        get { lock.withLock { isFailing } }
        set { lock.withLock { isFailing = newValue } }
    }

    /// The writes refused so far.
    var refusedWrites: Int {
        lock.withLock { refused }
    }

    private func write() throws {
        try lock.withLock {
            guard isFailing else { return }
            refused += 1
            throw StoreError.diskFull(path: base.path)
        }
    }

    func enqueue(_ submissions: [Submission], now: Date) async throws -> [MessageID] {
        try write()
        return try await base.enqueue(submissions, now: now)
    }

    func claimNext(now: Date, lease: TimeInterval) async throws -> MessageRecord? {
        try write()
        return try await base.claimNext(now: now, lease: lease)
    }

    func claimBatch(now: Date, lease: TimeInterval, limit: Int) async throws -> [MessageRecord] {
        try write()
        return try await base.claimBatch(now: now, lease: lease, limit: limit)
    }

    func claimBatch(now: Date, lease: TimeInterval, limit: Int, owner: ClaimOwner) async throws -> [MessageRecord] {
        try write()
        return try await base.claimBatch(now: now, lease: lease, limit: limit, owner: owner)
    }

    func beginAttempt(messageID: MessageID, providerID: String, now: Date) async throws -> AttemptID {
        try write()
        return try await base.beginAttempt(messageID: messageID, providerID: providerID, now: now)
    }

    func beginAttempts(_ starts: [AttemptStart], now: Date) async throws -> [AttemptID] {
        try write()
        return try await base.beginAttempts(starts, now: now)
    }

    func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        now: Date
    ) async throws {
        try write()
        try await base.finishAttempt(attemptID, outcome: outcome, providerMessageID: providerMessageID, detail: detail, now: now)
    }

    func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        then transition: (messageID: MessageID, transition: Transition)?,
        now: Date
    ) async throws {
        try write()
        try await base.finishAttempt(
            attemptID,
            outcome: outcome,
            providerMessageID: providerMessageID,
            detail: detail,
            then: transition,
            now: now
        )
    }

    func transition(_ messageID: MessageID, _ transition: Transition, now: Date) async throws {
        try write()
        try await base.transition(messageID, transition, now: now)
    }

    func messages(in state: MessageState, limit: Int) async throws -> [MessageRecord] {
        try await base.messages(in: state, limit: limit)
    }

    func findMessage(providerID: String, providerMessageID: String) async throws -> MessageRecord? {
        try await base.findMessage(providerID: providerID, providerMessageID: providerMessageID)
    }

    func sentMessagesPastDeadline(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        after cursors: [Priority: SentMessageCursor],
        limit: Int
    ) async throws -> [MessageRecord] {
        try await base.sentMessagesPastDeadline(cutoffs: cutoffs, providerIDs: providerIDs, after: cursors, limit: limit)
    }

    func findMessage(
        providerID: String,
        providerMessageID: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)? {
        try write()
        return try await base.findMessage(providerID: providerID, providerMessageID: providerMessageID, now: now, transitionedBy: decide)
    }

    func message(_ id: MessageID) async throws -> MessageRecord? {
        try await base.message(id)
    }

    func messages(limit: Int) async throws -> [MessageRecord] {
        try await base.messages(limit: limit)
    }

    func attempts(for messageID: MessageID) async throws -> [AttemptRecord] {
        try await base.attempts(for: messageID)
    }

    func events(for messageID: MessageID) async throws -> [MessageEvent] {
        try await base.events(for: messageID)
    }

    func queueDepth() async throws -> [Priority: Int] {
        try await base.queueDepth()
    }

    func nextWakeDate(now: Date) async throws -> Date? {
        try await base.nextWakeDate(now: now)
    }

    func recoverInterruptedAttempts(now: Date) async throws -> [MessageID] {
        try write()
        return try await base.recoverInterruptedAttempts(now: now)
    }
}
