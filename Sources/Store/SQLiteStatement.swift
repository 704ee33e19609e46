import CSQLite3
import Foundation

/// A prepared statement on one `SQLiteConnection`.
///
/// Owned by the connection's thread: it is not `Sendable` and must not leave that thread. The
/// statement is finalized when the value is released. Values are always bound, never spliced
/// into the SQL text.
public final class SQLiteStatement {
    let handle: OpaquePointer
    /// The statement text, kept for error messages.
    public let sql: String
    private let connection: OpaquePointer

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else {
            throw SQLiteError(result: result, connection: connection, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Steps once. Returns `true` when a row is available for the column readers, `false` when the
    /// statement has run to completion.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(result: result, connection: connection, sql: sql)
        }
    }

    /// Resets the statement so it can run again, and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values` to parameters 1...n, runs the statement to completion and resets it.
    public func execute(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        defer { reset() }
        try bind(values)
        while try step() {}
    }

    /// Binds `values`, collects every row with `read`, and resets the statement.
    public func rows<Row>(_ values: [SQLiteValue] = [], _ read: (SQLiteStatement) throws -> Row) throws -> [Row] {
        defer { reset() }
        try bind(values)
        var rows: [Row] = []
        while try step() {
            rows.append(try read(self))
        }
        return rows
    }

    /// Binds `values` and reads the first row with `read`, or returns `nil` when there is none.
    public func firstRow<Row>(_ values: [SQLiteValue] = [], _ read: (SQLiteStatement) throws -> Row) throws -> Row? {
        defer { reset() }
        try bind(values)
        guard try step() else { return nil }
        return try read(self)
    }

    // MARK: Column readers

    /// `true` when the column of the current row is SQL `NULL`.
    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    /// Reads a 0-based column of the current row as an integer; `NULL` reads as 0.
    public func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    /// Reads an integer column, with `nil` for `NULL`.
    public func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    /// Reads an integer column as `Int`.
    public func int(_ column: Int32) -> Int {
        Int(int64(column))
    }

    /// Reads a column as a floating-point number.
    public func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// Reads a column as text, using its byte length so embedded NUL characters are kept.
    /// `NULL` reads as the empty string; use `optionalText` to tell them apart.
    public func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        let buffer = UnsafeBufferPointer(start: bytes, count: count)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Reads a text column, with `nil` for `NULL`.
    public func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }

    /// Reads a column as bytes; `NULL` and an empty blob read as `[]`.
    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Reads a millisecond timestamp column as a date.
    public func date(_ column: Int32) -> Date {
        SQLiteValue.date(milliseconds: int64(column))
    }

    /// Reads a millisecond timestamp column, with `nil` for `NULL`.
    public func optionalDate(_ column: Int32) -> Date? {
        optionalInt64(column).map { SQLiteValue.date(milliseconds: $0) }
    }
}
