import Foundation

/// Unresolved attempts and their adoption by a receipt; see `MessageStore.adoptReceipt`.
extension PostgresStore {
    /// Returns the candidates through the `sms_attempts_unresolved` and `sms_attempts_open` partial indexes.
    public func unresolvedAttempts(providerID: String, recipient: String) async throws -> [UnresolvedAttempt] {
        try await executor.run { connection in
            let attempts = try connection.rows(
                """
                SELECT \(SQLiteStore.candidateColumns) FROM sms_attempts AS a JOIN sms_queue AS q ON q.id = a.message_id
                WHERE a.provider_id = $1::text AND a.outcome = 'ambiguous' AND a.provider_message_id IS NULL
                    AND q.recipient = $2::text
                UNION ALL
                SELECT \(SQLiteStore.candidateColumns) FROM sms_attempts AS a JOIN sms_queue AS q ON q.id = a.message_id
                WHERE a.provider_id = $1::text AND a.outcome IS NULL AND q.recipient = $2::text
                ORDER BY 1
                """,
                [.text(providerID), .text(recipient)]
            ).map(PostgresStore.readAttempt)
            return try attempts.compactMap { attempt in
                try PostgresStore.message(attempt.messageID, on: connection).map {
                    UnresolvedAttempt(attempt: attempt, message: $0)
                }
            }
        }
    }

    /// Adopts as `MessageStore` describes, in one transaction. The message row is locked first
    /// (`FOR UPDATE`, the order claims take), so a box claiming or changing it at the same moment
    /// either finishes first, and `decide` sees its state, or waits for this transaction.
    public func adoptReceipt(
        attemptID: AttemptID,
        messageID: MessageID,
        providerMessageID: String,
        detail: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)? {
        try await executor.run { connection in
            try connection.transaction { () -> (message: MessageRecord, stored: Transition?)? in
                let locked = try connection.firstRow(
                    "SELECT \(PostgresStore.messageColumns) FROM sms_queue WHERE id = $1::bigint FOR UPDATE",
                    [.integer(messageID)]
                )
                guard let locked else { return nil }
                let message = try PostgresStore.readMessage(locked)
                let adopted = try connection.execute(
                    """
                    UPDATE sms_attempts SET outcome = 'accepted', provider_message_id = $1::text, detail = $2::text,
                        finished_at = COALESCE(finished_at, $3::bigint)
                    WHERE id = $4::bigint AND message_id = $5::bigint AND outcome = 'ambiguous'
                        AND provider_message_id IS NULL
                    """,
                    [.text(providerMessageID), .text(detail), PostgresValue(now), .integer(attemptID), .integer(messageID)]
                )
                guard adopted.affectedRows == 1 else { return nil }
                guard let transition = decide(message) else { return (message, nil) }
                try PostgresStore.apply(transition, to: messageID, now: now, on: connection)
                if transition.state == .queued { try PostgresStore.notifyListeners(on: connection) }
                return (message, transition)
            }
        }
    }

    /// Reads the columns `id, message_id, provider_id, started_at, outcome, provider_message_id,
    /// detail, finished_at` of `sms_attempts`.
    static func readAttempt(_ row: PostgresRow) throws -> AttemptRecord {
        AttemptRecord(
            id: try row.int64(0),
            messageID: try row.int64(1),
            providerID: try row.text(2),
            startedAt: try row.date(3),
            outcome: try row.optionalText(4).map { try SQLiteStore.decode(AttemptOutcome.self, $0) },
            providerMessageID: row.optionalText(5),
            detail: row.optionalText(6),
            finishedAt: try row.optionalDate(7)
        )
    }
}
