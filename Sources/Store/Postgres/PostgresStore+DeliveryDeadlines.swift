import Foundation

extension PostgresStore {
    /// Returns the `sent` messages past their delivery deadline, oldest first, as
    /// `SQLiteStore.sentMessagesPastDeadline` reads them: one seek per provider and priority of
    /// the partial index `sms_queue_sent_deadline`, merged. Rows are not locked, so the caller
    /// reads each message again before it acts on it.
    public func sentMessagesPastDeadline(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        after cursors: [Priority: SentMessageCursor],
        limit: Int
    ) async throws -> [MessageRecord] {
        let seeks = SentDeadlineSeek.all(cutoffs: cutoffs, providerIDs: providerIDs, cursors: cursors)
        guard !seeks.isEmpty, limit > 0 else { return [] }
        return try await executor.run { connection in
            try SentDeadlineSeek.run(seeks, limit: limit) { try PostgresStore.sentPastDeadline($0, limit: limit, on: connection) }
        }
    }

    private static func sentPastDeadline(
        _ seeks: [SentDeadlineSeek],
        limit: Int,
        on connection: PostgresConnection
    ) throws -> [MessageRecord] {
        let sql = SentDeadlineSeek.statement(count: seeks.count, indexHint: "", limitsEachSeek: true) { number, type in
            "$\(number)::\(type)"
        }
        let values = SentDeadlineSeek.parameters(seeks, limit: limit).map { parameter -> PostgresValue in
            switch parameter {
            case .text(let text): .text(text)
            case .integer(let integer): .integer(integer)
            }
        }
        return try connection.rows(sql, values).map(readMessage)
    }
}
