import CSQLite3

/// An error returned by a SQLite call, with the primary result code, SQLite's own message and
/// the statement that failed.
///
/// Callers switch over `code`. `message` is the text of `sqlite3_errmsg` at the time of the
/// failure, and `sql` is the statement text without the bound values, because those may contain
/// phone numbers or message text.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A SQLite primary result code, named in Swift; each doc comment keeps the C name.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The primary result code (the low byte of an extended code).
        public var rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue & 0xFF
        }

        /// A generic error. The C code is `SQLITE_ERROR`.
        public static let error = Code(rawValue: SQLITE_ERROR)
        /// An internal logic error in SQLite. The C code is `SQLITE_INTERNAL`.
        public static let `internal` = Code(rawValue: SQLITE_INTERNAL)
        /// Access permission denied. The C code is `SQLITE_PERM`.
        public static let permission = Code(rawValue: SQLITE_PERM)
        /// The operation was aborted. The C code is `SQLITE_ABORT`.
        public static let abort = Code(rawValue: SQLITE_ABORT)
        /// Another connection holds a lock and the busy timeout ran out. The C code is `SQLITE_BUSY`.
        public static let busy = Code(rawValue: SQLITE_BUSY)
        /// A table in the same database is locked. The C code is `SQLITE_LOCKED`.
        public static let locked = Code(rawValue: SQLITE_LOCKED)
        /// An allocation failed. The C code is `SQLITE_NOMEM`.
        public static let noMemory = Code(rawValue: SQLITE_NOMEM)
        /// A write was attempted on a read-only database. The C code is `SQLITE_READONLY`.
        public static let readOnly = Code(rawValue: SQLITE_READONLY)
        /// The operation was interrupted. The C code is `SQLITE_INTERRUPT`.
        public static let interrupt = Code(rawValue: SQLITE_INTERRUPT)
        /// The operating system reported an I/O error. The C code is `SQLITE_IOERR`.
        public static let ioError = Code(rawValue: SQLITE_IOERR)
        /// The database file is damaged. The C code is `SQLITE_CORRUPT`.
        public static let corrupt = Code(rawValue: SQLITE_CORRUPT)
        /// The disk, or the configured page limit, is full. The C code is `SQLITE_FULL`.
        public static let full = Code(rawValue: SQLITE_FULL)
        /// The database file, its journal or its directory could not be opened. The C code is `SQLITE_CANTOPEN`.
        public static let cannotOpen = Code(rawValue: SQLITE_CANTOPEN)
        /// The schema changed under a prepared statement. The C code is `SQLITE_SCHEMA`.
        public static let schema = Code(rawValue: SQLITE_SCHEMA)
        /// A string or blob exceeds SQLite's size limit. The C code is `SQLITE_TOOBIG`.
        public static let tooBig = Code(rawValue: SQLITE_TOOBIG)
        /// A UNIQUE, NOT NULL, CHECK or FOREIGN KEY constraint failed. The C code is `SQLITE_CONSTRAINT`.
        public static let constraint = Code(rawValue: SQLITE_CONSTRAINT)
        /// A value has the wrong type for its column. The C code is `SQLITE_MISMATCH`.
        public static let mismatch = Code(rawValue: SQLITE_MISMATCH)
        /// The library was used incorrectly. The C code is `SQLITE_MISUSE`.
        public static let misuse = Code(rawValue: SQLITE_MISUSE)
        /// A bind index or column index is out of range. The C code is `SQLITE_RANGE`.
        public static let range = Code(rawValue: SQLITE_RANGE)
        /// The file is not a SQLite database. The C code is `SQLITE_NOTADB`.
        public static let notADatabase = Code(rawValue: SQLITE_NOTADB)

        public var description: String {
            String(cString: sqlite3_errstr(rawValue))
        }
    }

    /// The primary result code.
    public var code: Code
    /// The extended result code as SQLite returned it, for example `SQLITE_CONSTRAINT_UNIQUE`.
    public var extendedCode: Int32
    /// The text of `sqlite3_errmsg` when the error happened.
    public var message: String
    /// The statement that failed, or `nil` for calls that run no statement (open, close).
    public var sql: String?
    /// The operating system's `errno` behind an I/O error (`sqlite3_system_errno`), such as
    /// `EPERM` for an immutable file or `ENOSPC` for a full disk; 0 when there is none.
    public var systemErrno: Int32

    public init(code: Code, extendedCode: Int32? = nil, message: String, sql: String? = nil, systemErrno: Int32 = 0) {
        self.code = code
        self.extendedCode = extendedCode ?? code.rawValue
        self.message = message
        self.sql = sql
        self.systemErrno = systemErrno
    }

    /// Builds the error for `result` from the connection's last error message.
    init(result: Int32, connection: OpaquePointer?, sql: String?) {
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(result))
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? result
        let systemErrno = connection.map { sqlite3_system_errno($0) } ?? 0
        self.init(code: Code(rawValue: result), extendedCode: extended, message: message, sql: sql, systemErrno: systemErrno)
    }

    public var description: String {
        var text = "SQLite error \(code.rawValue) (\(code)): \(message)"
        if let sql { text += " in: \(sql)" }
        return text
    }
}
