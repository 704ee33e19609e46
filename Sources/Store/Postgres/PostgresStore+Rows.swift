import Foundation

/// Row reading and writing shared by the store's operations. Every function here runs on the
/// executor's thread, inside the caller's transaction where it writes.
extension PostgresStore {
    /// The columns `readMessage` expects, in order: the same as `SQLiteStore.messageColumns`.
    static let messageColumns = SQLiteStore.messageColumns

    static func readMessage(_ row: PostgresRow) throws -> MessageRecord {
        let rank = try row.int(3)
        guard let priority = Priority(rank: rank) else {
            throw StoreError.corrupt(path: "sms_queue", detail: "message \(try row.int64(0)) has priority rank \(rank)")
        }
        return MessageRecord(
            id: try row.int64(0),
            recipient: try row.text(1),
            text: try row.text(2),
            priority: priority,
            state: try SQLiteStore.decode(MessageState.self, row.text(4)),
            providerID: row.optionalText(5),
            providerMessageID: row.optionalText(6),
            attempts: try row.int(7),
            createdAt: try row.date(8),
            updatedAt: try row.date(9),
            notBefore: try row.optionalDate(10),
            expiresAt: try row.optionalDate(11),
            lastReason: row.optionalText(12),
            broadcastID: try row.optionalInt64(13),
            idempotencyKey: row.optionalText(14),
            handoffNode: row.optionalText(15)
        )
    }

    static func message(_ id: MessageID, on connection: PostgresConnection) throws -> MessageRecord? {
        try connection.firstRow("SELECT \(messageColumns) FROM sms_queue WHERE id = $1::bigint", [.integer(id)])
            .map(readMessage)
    }

    /// Sends a wake-up to every listening store when the transaction commits; PostgreSQL folds
    /// repeats within one transaction into one.
    static func notifyListeners(on connection: PostgresConnection) throws {
        try connection.execute("SELECT pg_notify($1::text, '')", [.text(wakeChannel)])
    }

    static func insertEvent(_ event: MessageEvent, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO sms_events (message_id, at, state, provider_id, reason)
            VALUES ($1::bigint, $2::bigint, $3::text, $4::text, $5::text)
            """,
            [
                .integer(event.messageID),
                PostgresValue(event.at),
                .text(event.state.rawValue),
                PostgresValue(event.providerID),
                PostgresValue(event.reason),
            ]
        )
    }

    /// Inserts submissions in the caller's transaction; a known idempotency key yields the stored id.
    ///
    /// Two daemons inserting the same key at once do not fail: the second insert waits for the
    /// first transaction, does nothing (`ON CONFLICT DO NOTHING`) and returns the first one's id.
    static func insert(
        _ submissions: [Submission],
        now: Date,
        on connection: PostgresConnection
    ) throws -> [MessageID] {
        var knownBroadcasts: Set<Int64> = []
        var ids: [MessageID] = []
        ids.reserveCapacity(submissions.count)
        for submission in submissions {
            if let key = submission.idempotencyKey, let existing = try messageID(idempotencyKey: key, on: connection) {
                ids.append(existing)
                continue
            }
            if let broadcastID = submission.broadcastID, !knownBroadcasts.contains(broadcastID) {
                let exists = try connection.firstRow("SELECT 1 FROM broadcasts WHERE id = $1::bigint", [.integer(broadcastID)])
                guard exists != nil else { throw StoreError.broadcastNotFound(broadcastID) }
                knownBroadcasts.insert(broadcastID)
            }
            let inserted = try connection.firstRow(
                """
                WITH inserted AS (
                    INSERT INTO sms_queue (recipient, text, priority, state, created_at, updated_at, expires_at,
                        broadcast_id, idempotency_key)
                    VALUES ($1::text, $2::text, $3::integer, 'queued', $4::bigint, $4::bigint, $5::bigint,
                        $6::bigint, $7::text)
                    ON CONFLICT (idempotency_key) DO NOTHING
                    RETURNING id
                ), event AS (
                    INSERT INTO sms_events (message_id, at, state) SELECT id, $4::bigint, 'queued' FROM inserted
                )
                SELECT id FROM inserted
                """,
                [
                    .text(submission.recipient),
                    .text(submission.text),
                    PostgresValue(submission.priority.rank),
                    PostgresValue(now),
                    PostgresValue(submission.expiresAt),
                    PostgresValue(submission.broadcastID),
                    PostgresValue(submission.idempotencyKey),
                ]
            )
            if let inserted {
                ids.append(try inserted.int64(0))
            } else if let key = submission.idempotencyKey, let existing = try messageID(idempotencyKey: key, on: connection) {
                // Another transaction committed the same key between the lookup and the insert.
                ids.append(existing)
            } else {
                throw PostgresError(
                    code: .uniqueViolation,
                    message: "a message with this idempotency key was inserted and removed concurrently"
                )
            }
        }
        return ids
    }

    private static func messageID(idempotencyKey: String, on connection: PostgresConnection) throws -> MessageID? {
        try connection.firstRow("SELECT id FROM sms_queue WHERE idempotency_key = $1::text", [.text(idempotencyKey)])?
            .int64(0)
    }

    /// Writes a transition to the message row and its event row in one statement, in the caller's
    /// transaction. A transition to `queued` or `unknown` writes its `notBefore`, as in `SQLiteStore`.
    static func apply(
        _ transition: Transition,
        to messageID: MessageID,
        now: Date,
        on connection: PostgresConnection
    ) throws {
        let result = try connection.execute(
            """
            WITH moved AS (
                UPDATE sms_queue SET
                    state = $1::text,
                    provider_id = COALESCE($2::text, provider_id),
                    provider_message_id = COALESCE($3::text, provider_message_id),
                    last_reason = $4::text,
                    not_before = CASE WHEN $1::text IN ('queued', 'unknown') THEN $5::bigint ELSE not_before END,
                    lease_until = CASE WHEN $1::text = 'sending' THEN lease_until ELSE NULL END,
                    claim_owner = CASE WHEN $1::text = 'sending' THEN claim_owner ELSE NULL END,
                    updated_at = $6::bigint
                WHERE id = $7::bigint
                RETURNING id
            )
            INSERT INTO sms_events (message_id, at, state, provider_id, reason)
            SELECT id, $6::bigint, $1::text, $2::text, $4::text FROM moved
            """,
            [
                .text(transition.state.rawValue),
                PostgresValue(transition.providerID),
                PostgresValue(transition.providerMessageID),
                PostgresValue(transition.reason),
                PostgresValue(transition.notBefore),
                PostgresValue(now),
                .integer(messageID),
            ]
        )
        guard result.affectedRows == 1 else { throw StoreError.messageNotFound(messageID) }
    }

    /// The database server's time of the current transaction, in milliseconds since the epoch:
    /// the clock of the leases of claims with an owner.
    static let serverNow = "(EXTRACT(EPOCH FROM now()) * 1000)::bigint"

    /// Moves messages whose lease ran out back to `queued` and marks their open attempts ambiguous,
    /// as `SQLiteStore` does. A message whose attempt under this claim was already accepted goes
    /// to `sent` instead.
    ///
    /// The rows are locked with `FOR UPDATE SKIP LOCKED`, so daemons taking over at the same time
    /// each take over different messages, and a message another transaction is changing (its
    /// owner finishing late) is left to that transaction.
    ///
    /// A lease of a claim with an owner ends by the server's clock (`serverNow`), one without by
    /// `now`. Messages claimed by `sparing` are left alone even after their lease.
    static func requeueExpiredLeases(now: Date, sparing owner: ClaimOwner? = nil, on connection: PostgresConnection) throws {
        let expired = try connection.rows(
            """
            SELECT id FROM sms_queue
            WHERE state = 'sending'
                AND lease_until < CASE WHEN claim_owner IS NULL THEN $1::bigint ELSE \(serverNow) END
                AND ($2::text IS NULL OR claim_owner IS DISTINCT FROM $2::text)
            ORDER BY id
            FOR UPDATE SKIP LOCKED
            """,
            [PostgresValue(now), PostgresValue(owner?.id)]
        )
        for row in expired {
            let id = try row.int64(0)
            // Only attempts started since the latest claim count; older ones belong to an earlier route.
            let accepted = try connection.firstRow(
                """
                SELECT provider_id, provider_message_id FROM sms_attempts
                WHERE message_id = $1::bigint AND outcome = 'accepted'
                    AND started_at >= (SELECT MAX(at) FROM sms_events WHERE message_id = $1::bigint AND state = 'sending')
                ORDER BY id DESC LIMIT 1
                """,
                [.integer(id)]
            )
            if let accepted {
                let transition = Transition(
                    to: .sent,
                    providerID: try accepted.text(0),
                    providerMessageID: accepted.optionalText(1),
                    reason: SQLiteStore.leaseExpiredAfterAcceptReason
                )
                try apply(transition, to: id, now: now, on: connection)
                continue
            }

            try connection.execute(
                """
                UPDATE sms_attempts SET outcome = 'ambiguous', finished_at = $1::bigint,
                    detail = COALESCE(detail, $2::text)
                WHERE message_id = $3::bigint AND outcome IS NULL
                """,
                [PostgresValue(now), .text(SQLiteStore.leaseExpiredReason), .integer(id)]
            )
            try apply(Transition(to: .queued, reason: SQLiteStore.leaseExpiredReason), to: id, now: now, on: connection)
        }
    }

    /// Moves queued messages whose `expires_at` is not after `now` to `expired`, each with an
    /// event, in one statement; returns their ids in order. Rows locked by another transaction are skipped.
    static func expireDue(now: Date, on connection: PostgresConnection) throws -> [MessageID] {
        try connection.rows(
            """
            WITH due AS (
                SELECT id FROM sms_queue
                WHERE state = 'queued' AND expires_at IS NOT NULL AND expires_at <= $1::bigint
                ORDER BY id
                FOR UPDATE SKIP LOCKED
            ), moved AS (
                UPDATE sms_queue AS q SET state = 'expired', last_reason = $2::text, lease_until = NULL,
                    updated_at = $1::bigint
                FROM due WHERE q.id = due.id
                RETURNING q.id
            )
            INSERT INTO sms_events (message_id, at, state, reason)
            SELECT id, $1::bigint, 'expired', $2::text FROM moved ORDER BY id
            RETURNING message_id
            """,
            [PostgresValue(now), .text(SQLiteStore.expiredReason)]
        ).map { try $0.int64(0) }.sorted()
    }
}
