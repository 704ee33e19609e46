import Foundation

/// One result row, copied out of libpq's result in text form.
///
/// Accessors convert a column by its 0-based index and throw `PostgresError` with
/// `.dataException` when the column contains something else. Only a schema that does not match
/// this code can cause that.
public struct PostgresRow: Sendable, Equatable {
    /// The columns in order; `nil` is SQL NULL.
    public var values: [String?]

    public init(values: [String?]) {
        self.values = values
    }

    public func optionalText(_ column: Int) -> String? {
        values[column]
    }

    public func text(_ column: Int) throws(PostgresError) -> String {
        guard let value = values[column] else { throw unexpected(column, expected: "text") }
        return value
    }

    public func optionalInt64(_ column: Int) throws(PostgresError) -> Int64? {
        guard let value = values[column] else { return nil }
        guard let integer = Int64(value) else { throw unexpected(column, expected: "an integer") }
        return integer
    }

    public func int64(_ column: Int) throws(PostgresError) -> Int64 {
        guard let integer = try optionalInt64(column) else { throw unexpected(column, expected: "an integer") }
        return integer
    }

    public func int(_ column: Int) throws(PostgresError) -> Int {
        Int(try int64(column))
    }

    /// Reads a date stored as milliseconds since the epoch.
    public func optionalDate(_ column: Int) throws(PostgresError) -> Date? {
        try optionalInt64(column).map { SQLiteValue.date(milliseconds: $0) }
    }

    public func date(_ column: Int) throws(PostgresError) -> Date {
        SQLiteValue.date(milliseconds: try int64(column))
    }

    private func unexpected(_ column: Int, expected: String) -> PostgresError {
        let found = values[column].map { "'\($0.prefix(40))'" } ?? "NULL"
        return PostgresError(code: .dataException, message: "invalid value in column \(column): expected \(expected), found \(found)")
    }
}

/// The outcome of one statement: its rows and, for `INSERT`, `UPDATE` and `DELETE`, the number
/// of rows it changed.
public struct PostgresResult: Sendable, Equatable {
    public var rows: [PostgresRow]
    /// The row count from the command tag (`PQcmdTuples`), 0 for other statements.
    public var affectedRows: Int

    public init(rows: [PostgresRow], affectedRows: Int) {
        self.rows = rows
        self.affectedRows = affectedRows
    }
}
