import Foundation

extension SQLiteStore {
    /// The maximum number of rows `inboundMessages(limit:)` returns, whatever limit the caller passes.
    public static let inboundListingCap = 10_000

    /// Stores one received message and returns its id. Commits with `synchronous=FULL`, because
    /// the provider has already taken the message off the network and cannot get it again.
    /// - Throws: `StoreError`/`SQLiteError` when the write fails; the message is then not stored.
    @discardableResult
    public func recordInbound(_ message: InboundMessage) async throws -> Int64 {
        let id = try await writer.run { connection in
            try connection.durableTransaction {
                try connection.execute(
                    """
                    INSERT INTO inbound_messages (received_at, provider_id, sender, text, smsc_timestamp, parts)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    """,
                    [
                        SQLiteValue(message.receivedAt), .text(message.providerID), .text(message.sender),
                        .text(message.text), SQLiteValue(message.smscTimestamp), SQLiteValue(max(1, message.parts)),
                    ]
                )
                return connection.lastInsertRowID
            }
        }
        logger.trace("Recorded inbound message", metadata: ["store.inbound.id": "\(id)"])
        return id
    }

    /// Returns the newest received messages first (by arrival, then id), at most `limit` of them
    /// and never more than `inboundListingCap`.
    public func inboundMessages(limit: Int) async throws -> [InboundMessageRecord] {
        let count = min(max(0, limit), SQLiteStore.inboundListingCap)
        return try await writer.run { connection in
            try connection.statement(
                """
                SELECT id, received_at, provider_id, sender, text, smsc_timestamp, parts
                FROM inbound_messages ORDER BY received_at DESC, id DESC LIMIT ?1
                """
            ).rows([.integer(Int64(count))]) { row in
                InboundMessageRecord(
                    id: row.int64(0),
                    message: InboundMessage(
                        receivedAt: row.date(1),
                        providerID: row.text(2),
                        sender: row.text(3),
                        text: row.text(4),
                        smscTimestamp: row.optionalDate(5),
                        parts: row.int(6)
                    )
                )
            }
        }
    }
}
