import Foundation

/// Unresolved attempts and their adoption by a receipt; see `MessageStore.adoptReceipt`.
extension SQLiteStore {
    /// Returns the candidates through the `sms_attempts_unresolved` and `sms_attempts_open`
    /// partial indexes, which hold only the few attempts without an id, so the query stays small
    /// however long the queue is.
    public func unresolvedAttempts(providerID: String, recipient: String) async throws -> [UnresolvedAttempt] {
        try await writer.runGrouped(writes: false) { connection in
            let attempts = try connection.statement(
                """
                SELECT \(SQLiteStore.candidateColumns) FROM sms_attempts AS a JOIN sms_queue AS q ON q.id = a.message_id
                WHERE a.provider_id = ?1 AND a.outcome = 'ambiguous' AND a.provider_message_id IS NULL
                    AND q.recipient = ?2
                UNION ALL
                SELECT \(SQLiteStore.candidateColumns) FROM sms_attempts AS a JOIN sms_queue AS q ON q.id = a.message_id
                WHERE a.provider_id = ?1 AND a.outcome IS NULL AND q.recipient = ?2
                ORDER BY 1
                """
            ).rows([.text(providerID), .text(recipient)], SQLiteStore.readAttempt)
            return try attempts.compactMap { attempt in
                try SQLiteStore.message(attempt.messageID, on: connection).map {
                    UnresolvedAttempt(attempt: attempt, message: $0)
                }
            }
        }
    }

    /// Adopts as `MessageStore` describes, in one transaction of the store's writer, so no claim
    /// or transition of this store comes between the check and the writes.
    public func adoptReceipt(
        attemptID: AttemptID,
        messageID: MessageID,
        providerMessageID: String,
        detail: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)? {
        let adopted = try await writer.runGrouped { connection -> (message: MessageRecord, stored: Transition?)? in
            try connection.execute(
                """
                UPDATE sms_attempts SET outcome = 'accepted', provider_message_id = ?1, detail = ?2,
                    finished_at = COALESCE(finished_at, ?3)
                WHERE id = ?4 AND message_id = ?5 AND outcome = 'ambiguous' AND provider_message_id IS NULL
                """,
                [.text(providerMessageID), .text(detail), SQLiteValue(now), .integer(attemptID), .integer(messageID)]
            )
            guard connection.changes == 1, let message = try SQLiteStore.message(messageID, on: connection) else {
                return nil
            }
            guard let transition = decide(message) else { return (message, nil) }
            try SQLiteStore.apply(transition, to: messageID, now: now, current: message, on: connection)
            return (message, transition)
        }
        wakeIfQueued(adopted?.stored?.state == .queued ? 1 : 0)
        return adopted
    }

    /// The `sms_attempts` columns `readAttempt` expects, prefixed with the alias `a`.
    static let candidateColumns =
        "a.id, a.message_id, a.provider_id, a.started_at, a.outcome, a.provider_message_id, a.detail, a.finished_at"

    /// Reads the columns `id, message_id, provider_id, started_at, outcome, provider_message_id,
    /// detail, finished_at` of `sms_attempts`.
    static func readAttempt(_ row: SQLiteStatement) throws -> AttemptRecord {
        AttemptRecord(
            id: row.int64(0),
            messageID: row.int64(1),
            providerID: row.text(2),
            startedAt: row.date(3),
            outcome: try row.optionalText(4).map { try SQLiteStore.decode(AttemptOutcome.self, $0) },
            providerMessageID: row.optionalText(5),
            detail: row.optionalText(6),
            finishedAt: row.optionalDate(7)
        )
    }
}
