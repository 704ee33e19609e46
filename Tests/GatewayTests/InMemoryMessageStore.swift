import Foundation
import Store

/// A `MessageStore` in memory, faithful to the protocol's rules: strict priority then id,
/// leases, idempotency keys, attempts and events. It also counts calls and keeps an ordered log
/// of enqueues, claims and attempts, for tests of ordering and of sleeping.
actor InMemoryMessageStore: MessageStore {
    /// One entry of the operation log, in the order the store performed them.
    enum LogEntry: Equatable {
        case enqueued(MessageID)
        case claimed(MessageID)
        case attemptBegun(MessageID, providerID: String)
    }

    private var rows: [MessageID: MessageRecord] = [:]
    private var leases: [MessageID: Date] = [:]
    private var owners: [MessageID: ClaimOwner] = [:]
    private var attemptRows: [AttemptID: AttemptRecord] = [:]
    private var eventRows: [MessageEvent] = []
    private var nextMessageID: MessageID = 1
    private var nextAttemptID: AttemptID = 1
    private(set) var callCount = 0
    private(set) var log: [LogEntry] = []
    /// Run once at the start of the next `unresolvedAttempts` call, then cleared: lets a test
    /// change the store while the delivery tracker waits for that call.
    private var unresolvedLookupHook: (@Sendable () async -> Void)?

    /// Sets the hook run once by the next `unresolvedAttempts` call.
    func setUnresolvedLookupHook(_ hook: @escaping @Sendable () async -> Void) {
        unresolvedLookupHook = hook
    }

    func unresolvedAttempts(providerID: String, recipient: String) async throws -> [UnresolvedAttempt] {
        callCount += 1
        if let hook = unresolvedLookupHook {
            unresolvedLookupHook = nil
            await hook()
        }
        var found: [UnresolvedAttempt] = []
        for message in rows.values where message.recipient == recipient {
            for attempt in attemptRows.values where attempt.messageID == message.id
            && (attempt.isUnresolved(on: providerID) || attempt.isOpen(on: providerID)) {
                found.append(UnresolvedAttempt(attempt: attempt, message: message))
            }
        }
        return found.sorted { $0.attempt.id < $1.attempt.id }
    }

    func enqueue(_ submissions: [Submission], now: Date) async throws -> [MessageID] {
        callCount += 1
        var ids: [MessageID] = []
        for submission in submissions {
            if let key = submission.idempotencyKey,
                let existing = rows.values.first(where: { $0.idempotencyKey == key })
            {
                ids.append(existing.id)
                continue
            }
            let id = nextMessageID
            nextMessageID += 1
            rows[id] = MessageRecord(
                id: id,
                recipient: submission.recipient,
                text: submission.text,
                priority: submission.priority,
                state: .queued,
                createdAt: now,
                updatedAt: now,
                expiresAt: submission.expiresAt,
                broadcastID: submission.broadcastID,
                idempotencyKey: submission.idempotencyKey
            )
            eventRows.append(MessageEvent(messageID: id, at: now, state: .queued))
            log.append(.enqueued(id))
            ids.append(id)
        }
        return ids
    }

    func claimNext(now: Date, lease: TimeInterval) async throws -> MessageRecord? {
        try await claimOne(now: now, lease: lease, owner: nil)
    }

    func claimBatch(now: Date, lease: TimeInterval, limit: Int, owner: ClaimOwner) async throws -> [MessageRecord] {
        var claimed: [MessageRecord] = []
        while claimed.count < limit, let message = try await claimOne(now: now, lease: lease, owner: owner) {
            claimed.append(message)
        }
        return claimed
    }

    /// Claims one message; a message `owner` claimed is never taken back by `owner`.
    private func claimOne(now: Date, lease: TimeInterval, owner: ClaimOwner?) async throws -> MessageRecord? {
        callCount += 1
        requeueEndedReceiptWaits(now: now)
        let ready = rows.values.filter { row in
            switch row.state {
            case .queued: return row.notBefore.map { $0 <= now } ?? true
            case .sending:
                if let owner, owners[row.id] == owner { return false }
                return leases[row.id].map { $0 <= now } ?? false
            default: return false
            }
        }
        guard var row = ready.min(by: { ($0.priority.rank, $0.id) < ($1.priority.rank, $1.id) }) else { return nil }
        row.state = .sending
        row.updatedAt = now
        rows[row.id] = row
        leases[row.id] = now.addingTimeInterval(lease)
        owners[row.id] = owner
        eventRows.append(MessageEvent(messageID: row.id, at: now, state: .sending))
        log.append(.claimed(row.id))
        return row
    }

    func beginAttempt(messageID: MessageID, providerID: String, now: Date) async throws -> AttemptID {
        callCount += 1
        guard var row = rows[messageID] else { throw InMemoryStoreError.messageNotFound(messageID) }
        let id = nextAttemptID
        nextAttemptID += 1
        attemptRows[id] = AttemptRecord(id: id, messageID: messageID, providerID: providerID, startedAt: now)
        row.attempts += 1
        if !attemptRows.values.contains(where: { $0.messageID == messageID && $0.outcome == .accepted }) {
            row.providerID = providerID
        }
        rows[messageID] = row
        log.append(.attemptBegun(messageID, providerID: providerID))
        return id
    }

    func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        now: Date
    ) async throws {
        callCount += 1
        guard var attempt = attemptRows[attemptID] else { throw InMemoryStoreError.attemptNotFound(attemptID) }
        attempt.outcome = outcome
        attempt.providerMessageID = providerMessageID
        attempt.detail = detail
        attempt.finishedAt = now
        attemptRows[attemptID] = attempt
    }

    func transition(_ messageID: MessageID, _ transition: Transition, now: Date) async throws {
        callCount += 1
        guard var row = rows[messageID] else { throw InMemoryStoreError.messageNotFound(messageID) }
        if row.state == .sending, transition.state != .sending {
            leases[messageID] = nil
            owners[messageID] = nil
        }
        row.state = transition.state
        if let providerID = transition.providerID { row.providerID = providerID }
        if let providerMessageID = transition.providerMessageID { row.providerMessageID = providerMessageID }
        if let reason = transition.reason { row.lastReason = reason }
        row.notBefore = transition.state == .queued || transition.state == .unknown ? transition.notBefore : nil
        row.updatedAt = now
        rows[messageID] = row
        eventRows.append(
            MessageEvent(
                messageID: messageID,
                at: now,
                state: transition.state,
                providerID: transition.providerID,
                reason: transition.reason
            )
        )
    }

    func sentMessagesPastDeadline(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        after cursors: [Priority: SentMessageCursor],
        limit: Int
    ) async throws -> [MessageRecord] {
        callCount += 1
        let due = rows.values.filter { message in
            guard message.state == .sent, let cutoff = cutoffs[message.priority],
                let providerID = message.providerID, providerIDs.contains(providerID), message.updatedAt <= cutoff
            else { return false }
            return cursors[message.priority].map { $0 < SentMessageCursor(message) } ?? true
        }
        return Array(due.sorted { SentMessageCursor($0) < SentMessageCursor($1) }.prefix(max(limit, 0)))
    }

    func findMessage(providerID: String, providerMessageID: String) async throws -> MessageRecord? {
        callCount += 1
        let attempt = attemptRows.values.first {
            $0.providerID == providerID && $0.providerMessageID == providerMessageID && $0.outcome == .accepted
        }
        if let attempt { return rows[attempt.messageID] }
        return rows.values.first { $0.providerID == providerID && $0.providerMessageID == providerMessageID }
    }

    func message(_ id: MessageID) async throws -> MessageRecord? {
        callCount += 1
        return rows[id]
    }

    func messages(limit: Int) async throws -> [MessageRecord] {
        callCount += 1
        return Array(rows.values.sorted { $0.id > $1.id }.prefix(limit))
    }

    func attempts(for messageID: MessageID) async throws -> [AttemptRecord] {
        callCount += 1
        return attemptRows.values.filter { $0.messageID == messageID }.sorted { $0.id < $1.id }
    }

    func events(for messageID: MessageID) async throws -> [MessageEvent] {
        callCount += 1
        return eventRows.filter { $0.messageID == messageID }
    }

    func queueDepth() async throws -> [Priority: Int] {
        callCount += 1
        var depth: [Priority: Int] = [:]
        for row in rows.values where row.state == .queued || row.state == .sending {
            depth[row.priority, default: 0] += 1
        }
        return depth
    }

    func nextWakeDate(now: Date) async throws -> Date? {
        callCount += 1
        return rows.values.compactMap { row in
            guard row.state == .queued || row.state == .unknown, let notBefore = row.notBefore, notBefore > now
            else { return nil }
            return notBefore
        }.min()
    }

    func recoverInterruptedAttempts(now: Date) async throws -> [MessageID] {
        callCount += 1
        var recovered: [MessageID] = []
        for (id, attempt) in attemptRows where attempt.outcome == nil {
            attemptRows[id]?.outcome = .ambiguous
            attemptRows[id]?.finishedAt = now
            guard var row = rows[attempt.messageID], row.state == .sending else { continue }
            row.state = .unknown
            row.notBefore = nil
            row.updatedAt = now
            rows[row.id] = row
            leases[row.id] = nil
            owners[row.id] = nil
            eventRows.append(MessageEvent(messageID: row.id, at: now, state: .unknown, providerID: attempt.providerID))
            recovered.append(row.id)
        }
        return recovered.sorted()
    }

    /// Puts back `unknown` messages whose wait for a receipt ended, marking the latest attempt
    /// `not_received` when it is ambiguous with no provider message id, as the real stores do.
    private func requeueEndedReceiptWaits(now: Date) {
        for row in rows.values where row.state == .unknown {
            guard let end = row.notBefore, end <= now else { continue }
            if let latest = attemptRows.values.filter({ $0.messageID == row.id }).max(by: { $0.id < $1.id }),
                latest.outcome == .ambiguous, latest.providerMessageID == nil
            {
                attemptRows[latest.id]?.outcome = .notReceived
            }
            var moved = row
            moved.state = .queued
            moved.notBefore = nil
            moved.lastReason = SQLiteStore.receiptWaitEndedReason
            moved.updatedAt = now
            rows[row.id] = moved
            eventRows.append(
                MessageEvent(messageID: row.id, at: now, state: .queued, reason: SQLiteStore.receiptWaitEndedReason)
            )
        }
    }

    /// Returns every attempt, oldest first.
    func allAttempts() -> [AttemptRecord] {
        attemptRows.values.sorted { $0.id < $1.id }
    }
}

enum InMemoryStoreError: Error {
    case messageNotFound(MessageID)
    case attemptNotFound(AttemptID)
}
