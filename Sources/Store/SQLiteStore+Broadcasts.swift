import Foundation

extension SQLiteStore {
    /// Creates a broadcast and queues its messages in one transaction, so either the whole
    /// broadcast is queued or none of it.
    ///
    /// Each submission's `broadcastID` is replaced by the new broadcast's id. A submission whose
    /// idempotency key is already stored returns the existing id, as in `enqueue`. 5,000
    /// submissions commit in one transaction.
    /// - Returns: the broadcast id and the message ids in submission order.
    public func createBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        now: Date
    ) async throws -> (broadcastID: Int64, messageIDs: [MessageID]) {
        let result = try await writer.run { connection in
            try connection.durableTransaction {
                try connection.execute(
                    "INSERT INTO broadcasts (name, text, created_at) VALUES (?1, ?2, ?3)",
                    [SQLiteValue(name), .text(text), SQLiteValue(now)]
                )
                let broadcastID = connection.lastInsertRowID
                let tagged = submissions.map { submission in
                    var submission = submission
                    submission.broadcastID = broadcastID
                    return submission
                }
                let ids = try SQLiteStore.insert(tagged, now: now, on: connection)
                return (broadcastID: broadcastID, messageIDs: ids)
            }
        }
        if !result.messageIDs.isEmpty { wakeListener() }
        logger.trace(
            "Created broadcast",
            metadata: ["broadcast.id": "\(result.broadcastID)", "store.count": "\(result.messageIDs.count)"]
        )
        return result
    }

    /// The broadcast with its progress counts, or `nil` when no broadcast has this id.
    public func broadcast(_ id: Int64) async throws -> BroadcastRecord? {
        try await writer.run { connection in
            try SQLiteStore.broadcast(id, on: connection)
        }
    }

    /// The newest broadcasts first, at most `limit`, each with its progress counts.
    public func broadcasts(limit: Int) async throws -> [BroadcastRecord] {
        try await writer.run { connection in
            let ids = try connection.statement("SELECT id FROM broadcasts ORDER BY id DESC LIMIT ?1")
                .rows([SQLiteValue(max(limit, 0))]) { $0.int64(0) }
            return try ids.compactMap { try SQLiteStore.broadcast($0, on: connection) }
        }
    }

    /// Cancels a queued message, with an event. A message in any other state is left untouched,
    /// since it is in flight or finished, and `false` is returned.
    /// - Throws: `StoreError.messageNotFound`.
    public func cancelMessage(_ id: MessageID, reason: String? = nil, now: Date) async throws -> Bool {
        try await writer.run { connection in
            try connection.transaction {
                guard let message = try SQLiteStore.message(id, on: connection) else {
                    throw StoreError.messageNotFound(id)
                }
                guard message.state == .queued else { return false }
                let transition = Transition(to: .cancelled, reason: reason ?? SQLiteStore.cancelledReason)
                try SQLiteStore.apply(transition, to: id, now: now, on: connection)
                return true
            }
        }
    }

    /// Cancels a broadcast: its queued messages become `cancelled`, each with an event, in one
    /// transaction; messages in flight or finished are left untouched. Records the cancellation
    /// time on the broadcast (the first one, when cancelled twice).
    /// - Returns: the ids of the messages cancelled now.
    /// - Throws: `StoreError.broadcastNotFound`.
    public func cancelBroadcast(_ id: Int64, reason: String? = nil, now: Date) async throws -> [MessageID] {
        try await writer.run { connection in
            try connection.transaction {
                try connection.execute(
                    "UPDATE broadcasts SET cancelled_at = COALESCE(cancelled_at, ?1) WHERE id = ?2",
                    [SQLiteValue(now), .integer(id)]
                )
                guard connection.changes == 1 else { throw StoreError.broadcastNotFound(id) }
                let queued = try connection.statement(
                    "SELECT id FROM sms_queue WHERE broadcast_id = ?1 AND state = 'queued' ORDER BY id"
                ).rows([.integer(id)]) { $0.int64(0) }
                let transition = Transition(to: .cancelled, reason: reason ?? SQLiteStore.cancelledReason)
                for messageID in queued {
                    try SQLiteStore.apply(transition, to: messageID, now: now, on: connection)
                }
                return queued
            }
        }
    }

    /// The reason recorded when an operator cancels without giving one.
    public static let cancelledReason = "cancelled by an operator"

    static func broadcast(_ id: Int64, on connection: SQLiteConnection) throws -> BroadcastRecord? {
        guard
            var record = try connection.statement(
                "SELECT id, name, text, created_at, cancelled_at FROM broadcasts WHERE id = ?1"
            ).firstRow([.integer(id)], { row in
                BroadcastRecord(
                    id: row.int64(0),
                    name: row.optionalText(1),
                    text: row.text(2),
                    createdAt: row.date(3),
                    cancelledAt: row.optionalDate(4)
                )
            })
        else { return nil }
        let counts = try connection.statement(
            "SELECT state, COUNT(*) FROM sms_queue WHERE broadcast_id = ?1 GROUP BY state"
        ).rows([.integer(id)]) { row in (try decode(MessageState.self, row.text(0)), row.int(1)) }
        record.countsByState = Dictionary(uniqueKeysWithValues: counts)
        return record
    }
}
