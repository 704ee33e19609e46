import Foundation

/// The result of creating a broadcast under an idempotency key.
public struct BroadcastCreation: Sendable, Equatable {
    public var broadcastID: Int64
    /// The broadcast's message ids in submission order; on a replay, the stored ones in id order.
    public var messageIDs: [MessageID]
    /// `true` when a broadcast with the same key was already stored and nothing new was queued.
    public var isReplay: Bool

    public init(broadcastID: Int64, messageIDs: [MessageID], isReplay: Bool) {
        self.broadcastID = broadcastID
        self.messageIDs = messageIDs
        self.isReplay = isReplay
    }
}

extension SQLiteStore {
    /// Creates a broadcast and queues its messages in one transaction, as
    /// `createBroadcast(name:text:submissions:now:)`, with an idempotency key for the whole
    /// broadcast.
    ///
    /// The key is stored on the broadcast row (unique among broadcasts). When a broadcast with
    /// this key exists, nothing is written and its id and messages are returned with
    /// `isReplay == true`, even if `submissions` differ: the key names the operator's request, not
    /// its content. The look-up and the insert share one `BEGIN IMMEDIATE` transaction, so two
    /// processes retrying at once create one broadcast. The submissions' own idempotency keys are
    /// ignored; a `nil` key behaves as the call without one.
    public func createBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        idempotencyKey: String?,
        now: Date
    ) async throws -> BroadcastCreation {
        let result = try await writer.run { connection in
            try connection.durableTransaction {
                if let idempotencyKey,
                    let existing = try connection.statement("SELECT id FROM broadcasts WHERE idempotency_key = ?1")
                        .firstRow([.text(idempotencyKey)], { $0.int64(0) })
                {
                    let ids = try connection.statement("SELECT id FROM sms_queue WHERE broadcast_id = ?1 ORDER BY id")
                        .rows([.integer(existing)]) { $0.int64(0) }
                    return BroadcastCreation(broadcastID: existing, messageIDs: ids, isReplay: true)
                }
                try connection.execute(
                    "INSERT INTO broadcasts (name, text, created_at, idempotency_key) VALUES (?1, ?2, ?3, ?4)",
                    [SQLiteValue(name), .text(text), SQLiteValue(now), SQLiteValue(idempotencyKey)]
                )
                let broadcastID = connection.lastInsertRowID
                let tagged = submissions.map { submission in
                    var submission = submission
                    submission.broadcastID = broadcastID
                    submission.idempotencyKey = nil
                    return submission
                }
                let ids = try SQLiteStore.insert(tagged, now: now, on: connection)
                return BroadcastCreation(broadcastID: broadcastID, messageIDs: ids, isReplay: false)
            }
        }
        if !result.isReplay && !result.messageIDs.isEmpty { wakeListener() }
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

    /// Returns the messages of a broadcast in id order, or `[]` for an unknown id.
    public func messages(inBroadcast id: Int64) async throws -> [MessageRecord] {
        try await writer.run { connection in
            try connection.statement(
                "SELECT \(SQLiteStore.messageColumns) FROM sms_queue WHERE broadcast_id = ?1 ORDER BY id"
            ).rows([.integer(id)], SQLiteStore.readMessage)
        }
    }

    /// Returns the id of the broadcast created under `idempotencyKey`, or `nil` when there is none.
    public func broadcastID(idempotencyKey: String) async throws -> Int64? {
        try await writer.run { connection in
            try connection.statement("SELECT id FROM broadcasts WHERE idempotency_key = ?1")
                .firstRow([.text(idempotencyKey)]) { $0.int64(0) }
        }
    }
}
