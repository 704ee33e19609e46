import Foundation

/// Received messages on the shared database, with the semantics of `SQLiteStore`'s functions of
/// the same names: every box stores what its own providers receive, and any box lists them all.
extension PostgresStore {
    /// Stores one received message and returns its id. Commits before returning.
    /// - Throws: `PostgresError` when the write fails, and then the message is not stored.
    @discardableResult
    public func recordInbound(_ message: InboundMessage) async throws -> Int64 {
        let id = try await executor.run { connection in
            guard
                let row = try connection.firstRow(
                    """
                    INSERT INTO inbound_messages (received_at, provider_id, sender, text, smsc_timestamp, parts)
                    VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::bigint, $6::integer)
                    RETURNING id
                    """,
                    [
                        PostgresValue(message.receivedAt), .text(message.providerID), .text(message.sender),
                        .text(message.text), PostgresValue(message.smscTimestamp), PostgresValue(max(1, message.parts)),
                    ]
                )
            else { throw PostgresError(code: .dataException, message: "INSERT ... RETURNING gave no row") }
            return try row.int64(0)
        }
        logger.trace("Recorded inbound message", metadata: ["store.inbound.id": "\(id)"])
        return id
    }

    /// Returns the newest received messages first (by arrival, then id), at most `limit` of them
    /// and never more than `SQLiteStore.inboundListingCap`.
    public func inboundMessages(limit: Int) async throws -> [InboundMessageRecord] {
        let count = min(max(0, limit), SQLiteStore.inboundListingCap)
        return try await executor.run { connection in
            try connection.rows(
                """
                SELECT id, received_at, provider_id, sender, text, smsc_timestamp, parts
                FROM inbound_messages ORDER BY received_at DESC, id DESC LIMIT $1::bigint
                """,
                [PostgresValue(count)]
            ).map { row in
                InboundMessageRecord(
                    id: try row.int64(0),
                    message: InboundMessage(
                        receivedAt: try row.date(1),
                        providerID: try row.text(2),
                        sender: try row.text(3),
                        text: try row.text(4),
                        smscTimestamp: try row.optionalDate(5),
                        parts: try row.int(6)
                    )
                )
            }
        }
    }
}
