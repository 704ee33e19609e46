import Foundation

extension PostgresStore {
    /// Moves `unknown` messages whose wait for a receipt ended back to `queued` and marks their
    /// latest ambiguous attempt `not_received`, as `SQLiteStore.requeueEndedReceiptWaits` does.
    ///
    /// The rows are locked with `FOR UPDATE SKIP LOCKED`, so boxes claiming at the same time each
    /// take different messages, and a message a receipt is moving right now is left to that
    /// transaction. The wait ends by `now`, the claiming box's clock.
    static func requeueEndedReceiptWaits(now: Date, on connection: PostgresConnection) throws {
        let ended = try connection.rows(
            """
            SELECT id FROM sms_queue
            WHERE state = 'unknown' AND not_before IS NOT NULL AND not_before <= $1::bigint
            ORDER BY id
            FOR UPDATE SKIP LOCKED
            """,
            [PostgresValue(now)]
        )
        for row in ended {
            let id = try row.int64(0)
            try connection.execute(
                """
                UPDATE sms_attempts SET outcome = 'not_received',
                    detail = CASE WHEN detail IS NULL THEN $2::text ELSE detail || '; ' || $2::text END
                WHERE id = (SELECT MAX(id) FROM sms_attempts WHERE message_id = $1::bigint)
                    AND outcome = 'ambiguous' AND provider_message_id IS NULL
                """,
                [.integer(id), .text(SQLiteStore.notReceivedDetail)]
            )
            try apply(
                Transition(to: .queued, reason: SQLiteStore.receiptWaitEndedReason),
                to: id,
                now: now,
                on: connection
            )
        }
    }
}
