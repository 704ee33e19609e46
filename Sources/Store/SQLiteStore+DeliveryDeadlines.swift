import Foundation

/// One provider and one priority of `sentMessagesPastDeadline`: an index seek of its own.
struct SentDeadlineSeek: Sendable, Equatable {
    var providerID: String
    var priority: Priority
    var cutoff: Date
    var cursor: SentMessageCursor?

    /// The maximum number of seeks in one statement, below SQLite's default limit of 500 terms in
    /// a compound `SELECT` (`SQLITE_MAX_COMPOUND_SELECT`).
    static let maxPerStatement = 200

    /// Returns one seek per provider and priority, in a fixed order so the statement text repeats.
    static func all(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        cursors: [Priority: SentMessageCursor]
    ) -> [SentDeadlineSeek] {
        let priorities = cutoffs.keys.sorted()
        return providerIDs.sorted().flatMap { providerID in
            priorities.compactMap { priority in
                cutoffs[priority].map {
                    SentDeadlineSeek(providerID: providerID, priority: priority, cutoff: $0, cursor: cursors[priority])
                }
            }
        }
    }

    /// A statement parameter of the seeks, before it becomes a `SQLiteValue` or `PostgresValue`.
    enum Parameter: Sendable, Equatable {
        case text(String)
        case integer(Int64)
    }

    /// Returns the statement for `count` seeks merged oldest first. `placeholder(n, type)` spells
    /// the parameter numbered `n` of SQL type `type` (`"text"`, `"integer"` or `"bigint"`), and
    /// `indexHint` follows the table name of each seek.
    ///
    /// Each seek reads its index range in the order of the `ORDER BY`. SQLite merges plain seeks
    /// without sorting and stops after `limit` rows, while a seek in a subquery made it sort each
    /// one. PostgreSQL needs each seek in a subquery with its own `LIMIT` (`limitsEachSeek`), or
    /// it plans bitmap scans of every due row and a sort.
    static func statement(
        count: Int,
        indexHint: String,
        limitsEachSeek: Bool,
        placeholder: (Int, String) -> String
    ) -> String {
        var seeks: [String] = []
        for index in 0..<count {
            let first = index * parametersPerSeek
            func parameter(_ offset: Int, _ type: String) -> String { placeholder(first + offset, type) }
            let seek = """
                SELECT \(SQLiteStore.messageColumns) FROM sms_queue\(indexHint)
                WHERE state = 'sent' AND provider_id = \(parameter(1, "text"))
                    AND priority = \(parameter(2, "integer"))
                    AND updated_at >= \(parameter(3, "bigint")) AND updated_at <= \(parameter(4, "bigint"))
                    AND (updated_at > \(parameter(3, "bigint")) OR id > \(parameter(5, "bigint")))
                """
            guard limitsEachSeek else {
                seeks.append(seek)
                continue
            }
            seeks.append(
                """
                SELECT \(SQLiteStore.messageColumns) FROM (
                \(seek)
                ORDER BY updated_at, id LIMIT \(parameter(6, "bigint"))
                ) AS seek\(index)
                """
            )
        }
        return seeks.joined(separator: "\nUNION ALL\n")
            + "\nORDER BY updated_at, id LIMIT \(placeholder(count * parametersPerSeek + 1, "bigint"))"
    }

    /// The parameters each seek binds: provider, priority rank, cursor update, cutoff, cursor id
    /// and the limit of the seek (which only a statement with `limitsEachSeek` names).
    private static let parametersPerSeek = 6

    /// Returns the parameters of `statement` for `seeks`, then `limit`.
    static func parameters(_ seeks: [SentDeadlineSeek], limit: Int) -> [Parameter] {
        let limit = Int64(max(limit, 0))
        var parameters: [Parameter] = []
        for seek in seeks {
            parameters += [
                .text(seek.providerID),
                .integer(Int64(seek.priority.rank)),
                .integer(seek.cursor.map { SQLiteValue.milliseconds($0.updatedAt) } ?? Int64.min),
                .integer(SQLiteValue.milliseconds(seek.cutoff)),
                .integer(seek.cursor?.id ?? Int64.min),
                .integer(limit),
            ]
        }
        return parameters + [.integer(limit)]
    }

    /// Runs `query` on each group of at most `maxPerStatement` seeks and merges the results.
    static func run(
        _ seeks: [SentDeadlineSeek],
        limit: Int,
        query: ([SentDeadlineSeek]) throws -> [MessageRecord]
    ) rethrows -> [MessageRecord] {
        var batches: [[MessageRecord]] = []
        for start in stride(from: 0, to: seeks.count, by: maxPerStatement) {
            batches.append(try query(Array(seeks[start..<min(start + maxPerStatement, seeks.count)])))
        }
        return merge(batches, limit: limit)
    }

    /// Merges the oldest-first results of several statements and keeps the first `limit`.
    static func merge(_ batches: [[MessageRecord]], limit: Int) -> [MessageRecord] {
        guard batches.count > 1 else { return Array((batches.first ?? []).prefix(max(limit, 0))) }
        let sorted = batches.joined().sorted { SentMessageCursor($0) < SentMessageCursor($1) }
        return Array(sorted.prefix(max(limit, 0)))
    }
}

extension SQLiteStore {
    /// Returns the `sent` messages past their delivery deadline, oldest first, through the partial
    /// index `sms_queue_sent_deadline` (one seek per provider and priority, merged).
    public func sentMessagesPastDeadline(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        after cursors: [Priority: SentMessageCursor],
        limit: Int
    ) async throws -> [MessageRecord] {
        let seeks = SentDeadlineSeek.all(cutoffs: cutoffs, providerIDs: providerIDs, cursors: cursors)
        guard !seeks.isEmpty, limit > 0 else { return [] }
        return try await writer.runGrouped(writes: false) { connection in
            try SentDeadlineSeek.run(seeks, limit: limit) { try SQLiteStore.sentPastDeadline($0, limit: limit, on: connection) }
        }
    }

    /// Returns the statement text of `sentMessagesPastDeadline` for `count` seeks, for
    /// `EXPLAIN QUERY PLAN`.
    static func sentPastDeadlineStatement(count: Int) -> String {
        // `INDEXED BY` makes the statement fail to prepare rather than fall back to a scan.
        SentDeadlineSeek.statement(
            count: count,
            indexHint: " INDEXED BY sms_queue_sent_deadline",
            limitsEachSeek: false
        ) { number, _ in "?\(number)" }
    }

    private static func sentPastDeadline(
        _ seeks: [SentDeadlineSeek],
        limit: Int,
        on connection: SQLiteConnection
    ) throws -> [MessageRecord] {
        let values = SentDeadlineSeek.parameters(seeks, limit: limit).map { parameter -> SQLiteValue in
            switch parameter {
            case .text(let text): .text(text)
            case .integer(let integer): .integer(integer)
            }
        }
        return try connection.statement(sentPastDeadlineStatement(count: seeks.count)).rows(values, readMessage)
    }
}
