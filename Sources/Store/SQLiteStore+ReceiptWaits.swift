import Foundation

/// The end of the wait for a delivery receipt of an ambiguous attempt.
///
/// A message whose latest attempt ended `ambiguous`, on a provider that sends delivery receipts,
/// may wait for that attempt's receipt instead of failing: it is `unknown` with `not_before` set
/// to the end of the wait. A receipt adopted meanwhile moves it to the state the receipt
/// reports (`adoptReceipt`). When the wait ends with none, the next claim puts it back in the queue and
/// marks that attempt `not_received`, so the provider may be tried again.
extension SQLiteStore {
    /// The reason recorded when a message's wait for a receipt ends without one.
    public static let receiptWaitEndedReason =
        "no delivery receipt by the deadline for the attempt whose outcome was unknown; "
        + "taken as never received and queued to be sent again"

    /// Appended to the detail of the attempt a receipt never came for.
    public static let notReceivedDetail = "no delivery receipt by the deadline; taken as never received"

    /// Moves `unknown` messages whose wait for a receipt ended (`not_before` not after `now`) back
    /// to `queued`, and marks the latest attempt of each `not_received` when it is still an
    /// ambiguous attempt with no provider message id. Runs in the caller's transaction.
    static func requeueEndedReceiptWaits(now: Date, on connection: SQLiteConnection) throws {
        let ended = try connection.statement(
            """
            SELECT id FROM sms_queue INDEXED BY sms_queue_unknown_not_before
            WHERE state = 'unknown' AND not_before IS NOT NULL AND not_before <= ?1 ORDER BY id
            """
        ).rows([SQLiteValue(now)]) { $0.int64(0) }
        for id in ended {
            try connection.execute(
                """
                UPDATE sms_attempts SET outcome = 'not_received',
                    detail = CASE WHEN detail IS NULL THEN ?2 ELSE detail || '; ' || ?2 END
                WHERE id = (SELECT MAX(id) FROM sms_attempts WHERE message_id = ?1)
                    AND outcome = 'ambiguous' AND provider_message_id IS NULL
                """,
                [.integer(id), .text(notReceivedDetail)]
            )
            try apply(Transition(to: .queued, reason: receiptWaitEndedReason), to: id, now: now, on: connection)
        }
    }
}
