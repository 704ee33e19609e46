import CSQLite3
import Foundation

/// One open SQLite database handle and its prepared statements.
///
/// Not `Sendable`: the thread that opened it owns it and makes every call on it (in the store,
/// the writer thread of `SQLiteWriter`). Statements prepared through `statement(_:)` are cached
/// for the life of the connection. `close()` finalizes them and closes the handle; the handle is
/// also closed when the value is released.
public final class SQLiteConnection {
    /// The file this connection opened, as given.
    public let path: String
    private var handle: OpaquePointer?
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens or creates the database at `path` for reading and writing.
    ///
    /// The connection uses SQLite's multi-thread mode (`SQLITE_OPEN_NOMUTEX`), which is safe
    /// because one thread owns it. Extended result codes are switched on.
    /// - Throws: `SQLiteError` with `.cannotOpen` when the file or its directory cannot be opened.
    public init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        self.path = path
        var handle: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let result = sqlite3_open_v2(path, &handle, access | SQLITE_OPEN_NOMUTEX, nil)
        guard result == SQLITE_OK, let handle else {
            let error = SQLiteError(result: result, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        sqlite3_extended_result_codes(handle, 1)
        self.handle = handle
    }

    deinit {
        close()
    }

    /// Finalizes the cached statements and closes the handle. Later calls throw `.misuse`.
    public func close() {
        cache.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    /// `true` when SQLite opened the main database read-only, as it does silently when the file
    /// is not writable.
    public var isReadOnly: Bool {
        guard let handle else { return true }
        return sqlite3_db_readonly(handle, "main") == 1
    }

    /// How long a statement waits for another connection's lock before failing with `.busy`.
    public func setBusyTimeout(_ timeout: Duration) throws(SQLiteError) {
        let handle = try openHandle()
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let result = sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
        guard result == SQLITE_OK else { throw SQLiteError(result: result, connection: handle, sql: nil) }
    }

    /// Runs SQL text that takes no values, such as schema changes and pragmas. Several statements
    /// may be separated by semicolons. Never use it with text that came from outside.
    public func execute(sql: String) throws(SQLiteError) {
        let handle = try openHandle()
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else { throw SQLiteError(result: result, connection: handle, sql: sql) }
    }

    /// Prepares `sql` once and returns the cached statement on later calls with the same text.
    public func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = cache[sql] { return cached }
        let statement = try SQLiteStatement(connection: try openHandle(), sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Prepares, binds and runs `sql` to completion.
    public func execute(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) {
        try statement(sql).execute(values)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT`, rolling back when it throws.
    ///
    /// `IMMEDIATE` takes the write lock at the start, so a read followed by a write in the same
    /// transaction cannot fail half-way with `.busy` because another process wrote in between.
    /// Transactions do not nest.
    /// Runs `body` in a transaction whose commit survives a power loss (`synchronous=FULL`, an
    /// fsync of the WAL at commit), then returns the connection to `synchronous=NORMAL`.
    ///
    /// Intake uses it, because a submission is acknowledged only once it is on disk. In WAL mode
    /// the FULL commit also makes every NORMAL commit before it durable.
    public func durableTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute(sql: "PRAGMA synchronous = FULL")
        defer { try? execute(sql: "PRAGMA synchronous = NORMAL") }
        return try transaction(body)
    }

    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute(sql: "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute(sql: "COMMIT")
            return result
        } catch {
            // A failed COMMIT (disk full) leaves the transaction open; a failed statement may have
            // rolled it back already. Either way nothing of it stays.
            if let handle, sqlite3_get_autocommit(handle) == 0 {
                sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            }
            throw error
        }
    }

    /// The row id of the latest successful `INSERT` on this connection.
    public var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// The number of rows the latest `INSERT`, `UPDATE` or `DELETE` changed.
    public var changes: Int {
        handle.map { Int(sqlite3_changes($0)) } ?? 0
    }

    /// The schema version kept in the file header (`PRAGMA user_version`).
    public func userVersion() throws(SQLiteError) -> Int {
        let statement = try statement("PRAGMA user_version")
        defer { statement.reset() }
        return try statement.step() ? statement.int(0) : 0
    }

    /// Sets `PRAGMA user_version`. Pragmas take no bound values, so the integer is formatted.
    public func setUserVersion(_ version: Int) throws(SQLiteError) {
        try execute(sql: "PRAGMA user_version = \(version)")
    }

    private func openHandle() throws(SQLiteError) -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(code: .misuse, message: "the connection to \(path) is closed")
        }
        return handle
    }
}
