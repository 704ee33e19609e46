import Foundation
import Testing

@testable import Store

@Suite struct SQLiteConnectionTests {
    /// A durable transaction commits with synchronous=FULL (2) and leaves the connection at NORMAL (1).
    @Test func durableTransactionSwitchesSynchronous() async throws {
        try await withStore { _, path in
            let connection = try SQLiteConnection(path: path)
            try connection.execute(sql: "PRAGMA synchronous = NORMAL")
            let inside = try connection.durableTransaction {
                try connection.statement("PRAGMA synchronous").firstRow { $0.int(0) }
            }
            let after = try connection.statement("PRAGMA synchronous").firstRow { $0.int(0) }
            #expect(inside == 2)
            #expect(after == 1)
        }
    }

    /// Text with quotes, semicolons and NUL characters is bound, stored and read back unchanged,
    /// whether it is short (stored inline), long, a substring's copy or made through `NSString`.
    @Test func boundTextRoundTrips() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory + "/wrapper.sqlite")
            try connection.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
            let long = String(repeating: "Zoë 👋 a\0b ", count: 40)
            let values = [
                "", "a\0b", "'); DROP TABLE t;--", "\"quoted\"", "Zoë 👋", "\0", long,
                String(long.dropFirst(3).prefix(50)), NSString(string: "from NSString: Zoë").description,
            ]
            for value in values {
                try connection.execute("INSERT INTO t (value) VALUES (?1)", [.text(value)])
            }
            let read = try connection.statement("SELECT value FROM t ORDER BY id").rows { $0.text(0) }
            #expect(read == values)
            let nulls = try connection.statement("SELECT COUNT(*) FROM t WHERE value IS NULL").firstRow { $0.int(0) }
            #expect(nulls == 0)
        }
    }

    /// A failing statement throws `SQLiteError` with its code, SQLite's message and the SQL text.
    @Test func errorCarriesCodeMessageAndSQL() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory + "/wrapper.sqlite")
            try connection.execute(sql: "CREATE TABLE t (key TEXT UNIQUE)")
            try connection.execute("INSERT INTO t (key) VALUES (?1)", [.text("k")])
            let error = try #require(throws: SQLiteError.self) {
                try connection.execute("INSERT INTO t (key) VALUES (?1)", [.text("k")])
            }
            #expect(error.code == .constraint)
            #expect(error.message.contains("UNIQUE"))
            #expect(error.sql == "INSERT INTO t (key) VALUES (?1)")
        }
    }

    /// A transaction that throws leaves nothing behind; a committed one stays.
    @Test func transactionRollsBackOnError() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory + "/wrapper.sqlite")
            try connection.execute(sql: "CREATE TABLE t (value INTEGER)")
            try connection.transaction { try connection.execute("INSERT INTO t VALUES (?1)", [.integer(1)]) }
            struct Abort: Error {}
            #expect(throws: Abort.self) {
                try connection.transaction {
                    try connection.execute("INSERT INTO t VALUES (?1)", [.integer(2)])
                    throw Abort()
                }
            }
            let rows = try connection.statement("SELECT value FROM t").rows { $0.int(0) }
            #expect(rows == [1])
        }
    }

    /// A write that fills the database (`SQLITE_FULL`) rolls back only its own transaction and is
    /// reported as a full disk with the path.
    @Test func fullDatabaseKeepsCommittedRows() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/full.sqlite"
            let connection = try SQLiteConnection(path: path)
            try connection.execute(sql: "CREATE TABLE t (value TEXT)")
            try connection.transaction { try connection.execute("INSERT INTO t VALUES (?1)", [.text("kept")]) }
            let pages = try #require(try connection.statement("PRAGMA page_count").firstRow { $0.int(0) })
            try connection.execute(sql: "PRAGMA max_page_count = \(pages + 2)")

            var caught: (any Error)?
            do {
                try connection.transaction {
                    for _ in 0..<100 {
                        try connection.execute("INSERT INTO t VALUES (?1)", [.text(String(repeating: "x", count: 4000))])
                    }
                }
            } catch {
                caught = error
            }
            let error = try #require(caught as? SQLiteError)
            #expect(error.code == .full)
            #expect(StoreError.classify(error, path: path) as? StoreError == .diskFull(path: path))
            let rows = try connection.statement("SELECT value FROM t").rows { $0.text(0) }
            #expect(rows == ["kept"])
        }
    }

    /// Each SQLite fault an administrator can fix maps to its own error; others stay `.database`.
    @Test(arguments: [
        (SQLiteError.Code.full, "full"),
        (.corrupt, "corrupt"),
        (.notADatabase, "corrupt"),
        (.readOnly, "readOnlyFile"),
        (.cannotOpen, "cannotOpen"),
        (.busy, "database"),
    ])
    func classification(code: SQLiteError.Code, expected: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/q.sqlite"
            let error = StoreError.classify(SQLiteError(code: code, message: "m"), path: path)
            let kind: String? =
                switch error as? StoreError {
                case .diskFull(path): "full"
                case .corrupt(path, _): "corrupt"
                case .readOnlyFile(path): "readOnlyFile"
                case .cannotOpen(path, _): "cannotOpen"
                case .database(path, _): "database"
                default: nil
                }
            #expect(kind == expected)
        }
    }
}
