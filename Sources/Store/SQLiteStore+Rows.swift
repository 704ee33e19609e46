import Foundation

/// Row reading and writing shared by the store's operations. Every function here runs on the
/// writer thread, inside the caller's transaction where it writes.
extension SQLiteStore {
    /// The columns `readMessage` expects, in order.
    static let messageColumns = """
        id, recipient, text, priority, state, provider_id, provider_message_id, attempts, created_at, \
        updated_at, not_before, expires_at, last_reason, broadcast_id, idempotency_key, handoff_node
        """

    static func readMessage(_ row: SQLiteStatement) throws -> MessageRecord {
        let rank = row.int(3)
        guard let priority = Priority(rank: rank) else {
            throw StoreError.corrupt(path: "sms_queue", detail: "message \(row.int64(0)) has priority rank \(rank)")
        }
        return MessageRecord(
            id: row.int64(0),
            recipient: row.text(1),
            text: row.text(2),
            priority: priority,
            state: try decode(MessageState.self, row.text(4)),
            providerID: row.optionalText(5),
            providerMessageID: row.optionalText(6),
            attempts: row.int(7),
            createdAt: row.date(8),
            updatedAt: row.date(9),
            notBefore: row.optionalDate(10),
            expiresAt: row.optionalDate(11),
            lastReason: row.optionalText(12),
            broadcastID: row.optionalInt64(13),
            idempotencyKey: row.optionalText(14),
            handoffNode: row.optionalText(15)
        )
    }

    static func decode<Value: RawRepresentable>(_ type: Value.Type, _ text: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw StoreError.corrupt(path: "\(Value.self)", detail: "unknown value '\(text)'")
        }
        return value
    }

    static func message(_ id: MessageID, on connection: SQLiteConnection) throws -> MessageRecord? {
        try connection.statement(messageByIDSQL).firstRow([.integer(id)], readMessage)
    }

    /// The text is built once because it is the statement's key in the connection's cache. Text
    /// interpolated on every call would cost a new string each time.
    private static let messageByIDSQL = "SELECT \(messageColumns) FROM sms_queue WHERE id = ?1"

    /// The query for the next ready messages in claim order, at most ?2 of them.
    private static let readySQL = """
        SELECT \(messageColumns) FROM sms_queue
        WHERE state = 'queued' AND (not_before IS NULL OR not_before <= ?1)
        ORDER BY priority, id LIMIT ?2
        """

    static func insertEvent(_ event: MessageEvent, on connection: SQLiteConnection) throws {
        try connection.execute(
            "INSERT INTO sms_events (message_id, at, state, provider_id, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            [
                .integer(event.messageID),
                SQLiteValue(event.at),
                .text(event.state.rawValue),
                SQLiteValue(event.providerID),
                SQLiteValue(event.reason),
            ]
        )
    }

    /// Inserts submissions in the caller's transaction; a known idempotency key yields the stored id.
    static func insert(
        _ submissions: [Submission],
        now: Date,
        on connection: SQLiteConnection
    ) throws -> [MessageID] {
        var knownBroadcasts: Set<Int64> = []
        var ids: [MessageID] = []
        ids.reserveCapacity(submissions.count)
        for submission in submissions {
            if let key = submission.idempotencyKey,
                let existing = try connection.statement("SELECT id FROM sms_queue WHERE idempotency_key = ?1")
                    .firstRow([.text(key)], { $0.int64(0) })
            {
                ids.append(existing)
                continue
            }
            if let broadcastID = submission.broadcastID, !knownBroadcasts.contains(broadcastID) {
                let exists = try connection.statement("SELECT 1 FROM broadcasts WHERE id = ?1")
                    .firstRow([.integer(broadcastID)]) { _ in true } ?? false
                guard exists else { throw StoreError.broadcastNotFound(broadcastID) }
                knownBroadcasts.insert(broadcastID)
            }
            try connection.execute(
                """
                INSERT INTO sms_queue (recipient, text, priority, state, created_at, updated_at, expires_at,
                    broadcast_id, idempotency_key)
                VALUES (?1, ?2, ?3, 'queued', ?4, ?4, ?5, ?6, ?7)
                """,
                [
                    .text(submission.recipient),
                    .text(submission.text),
                    SQLiteValue(submission.priority.rank),
                    SQLiteValue(now),
                    SQLiteValue(submission.expiresAt),
                    SQLiteValue(submission.broadcastID),
                    SQLiteValue(submission.idempotencyKey),
                ]
            )
            let id = connection.lastInsertRowID
            try insertEvent(MessageEvent(messageID: id, at: now, state: .queued), on: connection)
            ids.append(id)
        }
        return ids
    }

    /// Claims up to `limit` ready messages in the caller's transaction, after putting back those
    /// whose lease ran out or whose wait for a receipt ended, and expiring those past their deadline. Returns them in claim order.
    ///
    /// With an `owner`, the claims store it, and messages that owner claimed keep their claim
    /// however long ago their lease ended.
    static func claim(
        limit: Int,
        now: Date,
        lease: TimeInterval,
        owner: ClaimOwner?,
        on connection: SQLiteConnection
    ) throws -> [MessageRecord] {
        try requeueExpiredLeases(now: now, sparing: owner, on: connection)
        try requeueEndedReceiptWaits(now: now, on: connection)
        _ = try expireDue(now: now, on: connection)
        let ready = try connection.statement(readySQL).rows([SQLiteValue(now), SQLiteValue(limit)], readMessage)
        let leaseUntil = SQLiteValue(now.addingTimeInterval(lease))
        // What the update below writes, as a read of the row would return it (whole milliseconds).
        let updatedAt = SQLiteValue.date(milliseconds: SQLiteValue.milliseconds(now))
        var claimed: [MessageRecord] = []
        claimed.reserveCapacity(ready.count)
        // The rows were read before the update, which saves a read per message. Of the columns
        // of `MessageRecord`, the update changes these two only.
        for var message in ready {
            try connection.execute(
                "UPDATE sms_queue SET state = 'sending', lease_until = ?1, updated_at = ?2, claim_owner = ?4 WHERE id = ?3",
                [leaseUntil, SQLiteValue(now), .integer(message.id), SQLiteValue(owner?.id)]
            )
            try insertEvent(MessageEvent(messageID: message.id, at: now, state: .sending), on: connection)
            message.state = .sending
            message.updatedAt = updatedAt
            claimed.append(message)
        }
        return claimed
    }

    /// Inserts an attempt row and counts it on its message, in the caller's transaction.
    static func insertAttempt(_ start: AttemptStart, now: Date, on connection: SQLiteConnection) throws -> AttemptID {
        try connection.execute(
            """
            UPDATE sms_queue SET attempts = attempts + 1, updated_at = ?1,
                provider_id = CASE WHEN provider_message_id IS NULL THEN ?2 ELSE provider_id END
            WHERE id = ?3
            """,
            [SQLiteValue(now), .text(start.providerID), .integer(start.messageID)]
        )
        guard connection.changes == 1 else { throw StoreError.messageNotFound(start.messageID) }
        try connection.execute(
            "INSERT INTO sms_attempts (message_id, provider_id, started_at) VALUES (?1, ?2, ?3)",
            [.integer(start.messageID), .text(start.providerID), SQLiteValue(now)]
        )
        return connection.lastInsertRowID
    }

    /// An attempt's result as `record(_:now:on:)` writes it.
    struct AttemptOutcomeRow: Sendable {
        var attemptID: AttemptID
        var outcome: AttemptOutcome
        var providerMessageID: String?
        var detail: String?
    }

    /// Writes an attempt's outcome in the caller's transaction. An accepted attempt with an id
    /// also names its provider and id on the message row, unless `messageRowFollows` says the
    /// caller writes them there itself in the same transaction.
    static func record(
        _ row: AttemptOutcomeRow,
        now: Date,
        messageRowFollows: Bool = false,
        on connection: SQLiteConnection
    ) throws {
        try connection.execute(
            """
            UPDATE sms_attempts SET outcome = ?1, provider_message_id = ?2, detail = ?3, finished_at = ?4
            WHERE id = ?5
            """,
            [
                .text(row.outcome.rawValue),
                SQLiteValue(row.providerMessageID),
                SQLiteValue(row.detail),
                SQLiteValue(now),
                .integer(row.attemptID),
            ]
        )
        guard connection.changes == 1 else { throw StoreError.attemptNotFound(row.attemptID) }

        // The message row names the provider of its latest accepted attempt.
        if row.outcome == .accepted, let providerMessageID = row.providerMessageID, !messageRowFollows {
            try connection.execute(
                """
                UPDATE sms_queue SET provider_message_id = ?1, updated_at = ?2,
                    provider_id = (SELECT provider_id FROM sms_attempts WHERE id = ?3)
                WHERE id = (SELECT message_id FROM sms_attempts WHERE id = ?3)
                """,
                [.text(providerMessageID), SQLiteValue(now), .integer(row.attemptID)]
            )
        }
    }

    /// Writes a transition to the message row and its event row, in the caller's transaction.
    ///
    /// A transition to `queued` or `unknown` writes its `notBefore` (`NULL` when it has none), so
    /// an `unknown` message keeps a `not_before` only while it waits for a receipt.
    ///
    /// - Parameter current: the message row as read in this transaction, when the caller has it.
    ///   A provider or provider message id equal to the row's is then left unwritten, which spares
    ///   the update of the index on them.
    static func apply(
        _ transition: Transition,
        to messageID: MessageID,
        now: Date,
        current: MessageRecord? = nil,
        on connection: SQLiteConnection
    ) throws {
        let sql = ApplySQL.text(
            for: transition,
            writesProvider: transition.providerID.map { $0 != current?.providerID } ?? false,
            writesProviderMessage: transition.providerMessageID.map { $0 != current?.providerMessageID } ?? false
        )
        try connection.execute(
            sql,
            [
                .text(transition.state.rawValue),
                SQLiteValue(transition.providerID),
                SQLiteValue(transition.providerMessageID),
                SQLiteValue(transition.reason),
                SQLiteValue(transition.notBefore),
                SQLiteValue(now),
                .integer(messageID),
            ]
        )
        guard connection.changes == 1 else { throw StoreError.messageNotFound(messageID) }
        try insertEvent(
            MessageEvent(
                messageID: messageID,
                at: now,
                state: transition.state,
                providerID: transition.providerID,
                reason: transition.reason
            ),
            on: connection
        )
    }

    /// The `UPDATE` texts of `apply`, one for each set of columns a transition writes.
    ///
    /// SQLite 3.40 rewrites the entries of every index on a column named in `SET`, even when the
    /// value stays the same (`EXPLAIN` shows the `IdxDelete` and `IdxInsert`). So each text names
    /// only what changes. The provider columns are named when given, `not_before` when the message
    /// goes back to the queue or becomes `unknown`, and the lease and claim owner, cleared, when it leaves `sending`.
    /// Parameters: ?1 state, ?2 provider, ?3 provider message id, ?4 reason, ?5 `not_before`,
    /// ?6 now, ?7 message id.
    enum ApplySQL {
        private static let texts: [String] = (0..<16).map(makeText)

        static func text(for transition: Transition, writesProvider: Bool, writesProviderMessage: Bool) -> String {
            var key = 0
            if writesProvider { key |= 1 }
            if writesProviderMessage { key |= 2 }
            if transition.state == .queued || transition.state == .unknown { key |= 4 }
            if transition.state != .sending { key |= 8 }
            return texts[key]
        }

        private static func makeText(_ key: Int) -> String {
            var columns = ["state = ?1"]
            if key & 1 != 0 { columns.append("provider_id = ?2") }
            if key & 2 != 0 { columns.append("provider_message_id = ?3") }
            columns.append("last_reason = ?4")
            if key & 4 != 0 { columns.append("not_before = ?5") }
            if key & 8 != 0 { columns.append("lease_until = NULL, claim_owner = NULL") }
            columns.append("updated_at = ?6")
            return "UPDATE sms_queue SET \(columns.joined(separator: ", ")) WHERE id = ?7"
        }
    }

    /// The reason recorded when a lease runs out and the message goes back to the queue.
    public static let leaseExpiredReason = "lease expired: the dispatcher that claimed it did not finish in time"

    /// The reason recorded when a lease runs out after a provider accepted the message.
    public static let leaseExpiredAfterAcceptReason =
        "lease expired after a provider accepted the message; its state was not recorded in time"

    /// Moves messages whose lease ran out back to `queued`, marking their open attempts ambiguous.
    ///
    /// This and the other housekeeping queries name their partial index (`INDEXED BY`), because
    /// without statistics SQLite 3.40 picks the claim index and scans every queued row instead.
    ///
    /// A message whose attempt under this claim was already accepted goes to `sent` instead,
    /// because sending it again would be a certain duplicate.
    ///
    /// Messages claimed by `sparing` are left alone even after their lease, because that run
    /// still tracks them.
    static func requeueExpiredLeases(now: Date, sparing owner: ClaimOwner? = nil, on connection: SQLiteConnection) throws {
        let expired = try connection.statement(
            """
            SELECT id FROM sms_queue INDEXED BY sms_queue_sending_lease
            WHERE state = 'sending' AND lease_until < ?1
                AND (?2 IS NULL OR claim_owner IS NULL OR claim_owner <> ?2)
            ORDER BY id
            """
        ).rows([SQLiteValue(now), SQLiteValue(owner?.id)]) { $0.int64(0) }
        for id in expired {
            // Only attempts started since the latest claim count; older ones belong to an earlier route.
            let accepted = try connection.statement(
                """
                SELECT provider_id, provider_message_id FROM sms_attempts
                WHERE message_id = ?1 AND outcome = 'accepted'
                    AND started_at >= (SELECT MAX(at) FROM sms_events WHERE message_id = ?1 AND state = 'sending')
                ORDER BY id DESC LIMIT 1
                """
            ).firstRow([.integer(id)]) { ($0.text(0), $0.optionalText(1)) }
            if let (providerID, providerMessageID) = accepted {
                let transition = Transition(
                    to: .sent,
                    providerID: providerID,
                    providerMessageID: providerMessageID,
                    reason: leaseExpiredAfterAcceptReason
                )
                try apply(transition, to: id, now: now, on: connection)
                continue
            }

            try connection.execute(
                """
                UPDATE sms_attempts SET outcome = 'ambiguous', finished_at = ?1, detail = COALESCE(detail, ?2)
                WHERE message_id = ?3 AND outcome IS NULL
                """,
                [SQLiteValue(now), .text(leaseExpiredReason), .integer(id)]
            )
            try apply(Transition(to: .queued, reason: leaseExpiredReason), to: id, now: now, on: connection)
        }
    }

    /// The reason recorded when a queued message passes its deadline.
    public static let expiredReason = "expired: its deadline passed before any provider accepted it"

    /// Moves queued messages whose `expires_at` is not after `now` to `expired`; returns their ids.
    static func expireDue(now: Date, on connection: SQLiteConnection) throws -> [MessageID] {
        let due = try connection.statement(
            """
            SELECT id FROM sms_queue INDEXED BY sms_queue_queued_expiry
            WHERE state = 'queued' AND expires_at IS NOT NULL AND expires_at <= ?1 ORDER BY id
            """
        ).rows([SQLiteValue(now)]) { $0.int64(0) }
        for id in due {
            try apply(Transition(to: .expired, reason: expiredReason), to: id, now: now, on: connection)
        }
        return due
    }
}
