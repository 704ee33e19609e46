import Foundation

/// The shared queue's box registry and hand-offs; see `BoxRegistry`.
extension PostgresStore: BoxRegistry {
    /// The server's clock in milliseconds since the epoch, as an SQL expression. `clock_timestamp()`
    /// rather than `now()`, which is the start of the transaction.
    static let serverMilliseconds = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    /// The condition, on `sms_queue` rows, under which a store named `$node` may claim a message:
    /// it was not handed off, or to this box, or its hand-off has lapsed. `$wait` is `handoffWait`
    /// in milliseconds.
    static func claimableByNode(node: String, wait: String) -> String {
        """
        (handoff_node IS NULL OR handoff_node = \(node) OR NOT EXISTS (
            SELECT 1 FROM lifeline_boxes AS b
            WHERE b.node = sms_queue.handoff_node AND b.heartbeat_at >= \(serverMilliseconds) - \(wait)
        ))
        """
    }

    /// `handoffWait` in whole milliseconds, for statements.
    var handoffWaitMilliseconds: Int64 {
        let parts = handoffWait.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    public func registerBox(providerIDs: [String]) async throws {
        let node = node
        try await executor.run { connection in
            try connection.execute(
                """
                INSERT INTO lifeline_boxes (node, provider_ids, heartbeat_at)
                VALUES ($1::text, $2::text, \(PostgresStore.serverMilliseconds))
                ON CONFLICT (node) DO UPDATE SET provider_ids = EXCLUDED.provider_ids,
                    heartbeat_at = EXCLUDED.heartbeat_at
                """,
                [.text(node), .text(providerIDs.joined(separator: "\n"))]
            )
        }
    }

    public func liveBoxes() async throws -> [BoxRecord] {
        let node = node
        let wait = handoffWaitMilliseconds
        return try await executor.run { connection in
            try connection.rows(
                """
                SELECT node, provider_ids, heartbeat_at FROM lifeline_boxes
                WHERE node <> $1::text AND heartbeat_at >= \(PostgresStore.serverMilliseconds) - $2::bigint
                ORDER BY node
                """,
                [.text(node), .integer(wait)]
            ).map { row in
                BoxRecord(
                    node: try row.text(0),
                    providerIDs: try row.text(1).split(separator: "\n").map(String.init),
                    heartbeatAt: try row.date(2)
                )
            }
        }
    }

    public func handOff(_ messageID: MessageID, to node: String, reason: String, now: Date) async throws {
        try await executor.run { connection in
            try connection.transaction {
                let moved = try connection.execute(
                    """
                    UPDATE sms_queue SET state = 'queued', handoff_node = $1::text, last_reason = $2::text,
                        not_before = NULL, lease_until = NULL, claim_owner = NULL, updated_at = $3::bigint
                    WHERE id = $4::bigint
                    """,
                    [.text(node), .text(reason), PostgresValue(now), .integer(messageID)]
                )
                guard moved.affectedRows == 1 else { throw StoreError.messageNotFound(messageID) }
                let event = MessageEvent(messageID: messageID, at: now, state: .queued, reason: reason)
                try PostgresStore.insertEvent(event, on: connection)
                try PostgresStore.notifyListeners(on: connection)
            }
        }
    }

    public func lapsedHandoffCount() async throws -> Int {
        let node = node
        let wait = handoffWaitMilliseconds
        return try await executor.run { connection in
            try connection.firstRow(
                """
                SELECT COUNT(*) FROM sms_queue
                WHERE state = 'queued' AND handoff_node IS NOT NULL AND handoff_node <> $1::text
                    AND \(PostgresStore.claimableByNode(node: "$1::text", wait: "$2::bigint"))
                """,
                [.text(node), .integer(wait)]
            )?.int(0) ?? 0
        }
    }
}
