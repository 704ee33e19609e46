import Foundation

/// Broadcasts on the shared queue, with the semantics of `SQLiteStore`'s functions of the same names.
extension PostgresStore {
    /// Creates a broadcast and queues its messages in one transaction, as `SQLiteStore` does, and
    /// wakes the listening stores when it queued any.
    public func createBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        now: Date
    ) async throws -> (broadcastID: Int64, messageIDs: [MessageID]) {
        let creation = try await insertBroadcast(
            name: name, text: text, submissions: submissions, idempotencyKey: nil, keepsMessageKeys: true, now: now)
        return (broadcastID: creation.broadcastID, messageIDs: creation.messageIDs)
    }

    /// Creates a broadcast under an idempotency key, as `SQLiteStore` does.
    ///
    /// Two daemons creating a broadcast under the same key at once create one: the second insert
    /// waits for the first transaction on the unique index, then finds its row and returns it as
    /// a replay.
    public func createBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        idempotencyKey: String?,
        now: Date
    ) async throws -> BroadcastCreation {
        try await insertBroadcast(
            name: name, text: text, submissions: submissions, idempotencyKey: idempotencyKey, keepsMessageKeys: false, now: now)
    }

    private func insertBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        idempotencyKey: String?,
        keepsMessageKeys: Bool,
        now: Date
    ) async throws -> BroadcastCreation {
        let result = try await executor.run { connection in
            try connection.transaction {
                let inserted = try connection.firstRow(
                    """
                    INSERT INTO broadcasts (name, text, created_at, idempotency_key)
                    VALUES ($1::text, $2::text, $3::bigint, $4::text)
                    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                    RETURNING id
                    """,
                    [PostgresValue(name), .text(text), PostgresValue(now), PostgresValue(idempotencyKey)]
                )
                guard let inserted else {
                    // Only a stored key makes the insert do nothing.
                    guard
                        let idempotencyKey,
                        let existing = try PostgresStore.broadcastID(idempotencyKey: idempotencyKey, on: connection)
                    else {
                        throw PostgresError(code: .uniqueViolation, message: "the broadcast was inserted and removed concurrently")
                    }
                    let ids = try connection.rows(
                        "SELECT id FROM sms_queue WHERE broadcast_id = $1::bigint ORDER BY id",
                        [.integer(existing)]
                    ).map { try $0.int64(0) }
                    return BroadcastCreation(broadcastID: existing, messageIDs: ids, isReplay: true)
                }
                let broadcastID = try inserted.int64(0)
                let tagged = submissions.map { submission in
                    var submission = submission
                    submission.broadcastID = broadcastID
                    if !keepsMessageKeys { submission.idempotencyKey = nil }
                    return submission
                }
                let ids = try PostgresStore.insert(tagged, now: now, on: connection)
                if !ids.isEmpty { try PostgresStore.notifyListeners(on: connection) }
                return BroadcastCreation(broadcastID: broadcastID, messageIDs: ids, isReplay: false)
            }
        }
        logger.trace(
            "Created broadcast",
            metadata: [
                "broadcast.id": "\(result.broadcastID)",
                "broadcast.replay": "\(result.isReplay)",
                "store.count": "\(result.messageIDs.count)",
            ]
        )
        return result
    }

    /// The broadcast with its progress counts, or `nil` when no broadcast has this id.
    public func broadcast(_ id: Int64) async throws -> BroadcastRecord? {
        try await executor.run { connection in
            try PostgresStore.broadcast(id, on: connection)
        }
    }

    /// The newest broadcasts first, at most `limit`, each with its progress counts.
    public func broadcasts(limit: Int) async throws -> [BroadcastRecord] {
        try await executor.run { connection in
            let ids = try connection.rows(
                "SELECT id FROM broadcasts ORDER BY id DESC LIMIT $1::bigint",
                [PostgresValue(max(limit, 0))]
            ).map { try $0.int64(0) }
            return try ids.compactMap { try PostgresStore.broadcast($0, on: connection) }
        }
    }

    /// Returns the id of the broadcast created under `idempotencyKey`, or `nil` when there is none.
    public func broadcastID(idempotencyKey: String) async throws -> Int64? {
        try await executor.run { connection in
            try PostgresStore.broadcastID(idempotencyKey: idempotencyKey, on: connection)
        }
    }

    /// Returns the messages of a broadcast in id order, or `[]` for an unknown id.
    public func messages(inBroadcast id: Int64) async throws -> [MessageRecord] {
        try await executor.run { connection in
            try connection.rows(
                "SELECT \(PostgresStore.messageColumns) FROM sms_queue WHERE broadcast_id = $1::bigint ORDER BY id",
                [.integer(id)]
            ).map(PostgresStore.readMessage)
        }
    }

    /// Cancels a queued message, with an event. Returns `false` for a message in any other state.
    /// The row is locked first, so a daemon claiming it at the same moment either claims it
    /// before (and this returns `false`) or finds it cancelled.
    /// - Throws: `StoreError.messageNotFound`.
    public func cancelMessage(_ id: MessageID, reason: String? = nil, now: Date) async throws -> Bool {
        try await executor.run { connection in
            try connection.transaction {
                guard
                    let state = try connection.firstRow(
                        "SELECT state FROM sms_queue WHERE id = $1::bigint FOR UPDATE",
                        [.integer(id)]
                    )
                else { throw StoreError.messageNotFound(id) }
                guard try state.text(0) == MessageState.queued.rawValue else { return false }
                let transition = Transition(to: .cancelled, reason: reason ?? SQLiteStore.cancelledReason)
                try PostgresStore.apply(transition, to: id, now: now, on: connection)
                return true
            }
        }
    }

    /// Cancels a broadcast's queued messages, each with an event, in one transaction, and records
    /// the first cancellation time. Messages another daemon is claiming at that moment are locked,
    /// so they are passed over and stay with that daemon.
    /// - Returns: the ids of the messages cancelled now.
    /// - Throws: `StoreError.broadcastNotFound`.
    public func cancelBroadcast(_ id: Int64, reason: String? = nil, now: Date) async throws -> [MessageID] {
        try await executor.run { connection in
            try connection.transaction {
                let updated = try connection.execute(
                    "UPDATE broadcasts SET cancelled_at = COALESCE(cancelled_at, $1::bigint) WHERE id = $2::bigint",
                    [PostgresValue(now), .integer(id)]
                )
                guard updated.affectedRows == 1 else { throw StoreError.broadcastNotFound(id) }
                let queued = try connection.rows(
                    """
                    SELECT id FROM sms_queue WHERE broadcast_id = $1::bigint AND state = 'queued'
                    ORDER BY id FOR UPDATE SKIP LOCKED
                    """,
                    [.integer(id)]
                ).map { try $0.int64(0) }
                let transition = Transition(to: .cancelled, reason: reason ?? SQLiteStore.cancelledReason)
                for messageID in queued {
                    try PostgresStore.apply(transition, to: messageID, now: now, on: connection)
                }
                return queued
            }
        }
    }

    static func broadcastID(idempotencyKey: String, on connection: PostgresConnection) throws -> Int64? {
        try connection.firstRow("SELECT id FROM broadcasts WHERE idempotency_key = $1::text", [.text(idempotencyKey)])?
            .int64(0)
    }

    static func broadcast(_ id: Int64, on connection: PostgresConnection) throws -> BroadcastRecord? {
        guard
            let row = try connection.firstRow(
                "SELECT id, name, text, created_at, cancelled_at FROM broadcasts WHERE id = $1::bigint",
                [.integer(id)]
            )
        else { return nil }
        var record = BroadcastRecord(
            id: try row.int64(0),
            name: row.optionalText(1),
            text: try row.text(2),
            createdAt: try row.date(3),
            cancelledAt: try row.optionalDate(4)
        )
        let counts = try connection.rows(
            "SELECT state, COUNT(*) FROM sms_queue WHERE broadcast_id = $1::bigint GROUP BY state",
            [.integer(id)]
        ).map { row in (try SQLiteStore.decode(MessageState.self, row.text(0)), try row.int(1)) }
        record.countsByState = Dictionary(uniqueKeysWithValues: counts)
        return record
    }
}
