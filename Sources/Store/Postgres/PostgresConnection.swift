import CLibPQ
import Foundation
import OptionalLibraries

/// One open libpq connection (`PGconn`) and the statements prepared on it.
///
/// Not `Sendable`: the thread that opened it owns it and makes every call on it (in the store,
/// the thread of `PostgresExecutor`). Every value is bound as a parameter of a prepared
/// statement, never written into the SQL text. Statements are prepared once per connection and
/// cached by their text. `close()` ends the session, and so does releasing the value.
///
/// libpq's calls block until the server responds, so they must never run on Swift's cooperative pool.
public final class PostgresConnection {
    /// The server and database this connection reaches, without the password, for errors and logs:
    /// `postgresql://user@host:port/database`.
    public let target: String
    private(set) var handle: OpaquePointer?
    private var prepared: [String: String] = [:]

    /// Connects with a `postgresql://` URL or a `key=value` connection string.
    ///
    /// Settings the string does not give default to: `connect_timeout` 10 s, TCP keepalives that
    /// notice a dead peer within about a minute (idle 30 s, then 3 probes 10 s apart), UTF-8
    /// client encoding, and `application_name` from the argument. Server notices are discarded.
    /// - Throws: `PostgresError` with `.unableToConnect` and libpq's message (which never contains
    ///   the password), or the load error when libpq cannot be loaded.
    public init(
        conninfo: String,
        applicationName: String = "lifeline",
        connectTimeout: Int = 10
    ) throws(PostgresError) {
        self.target = try Self.describe(conninfo)
        // Entries before `dbname` give way to the same setting inside the connection string.
        let settings = [
            ("connect_timeout", String(connectTimeout)),
            ("keepalives_idle", "30"),
            ("keepalives_interval", "10"),
            ("keepalives_count", "3"),
            ("client_encoding", "UTF8"),
            ("application_name", applicationName),
            ("dbname", conninfo),
        ]
        // Both arrays end with NULL, as PQconnectdbParams requires.
        let handle = Self.withCStrings(settings.map(\.0) + [nil]) { keywords in
            Self.withCStrings(settings.map(\.1) + [nil]) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { Self.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(handle)
            throw PostgresError(code: .unableToConnect, message: "cannot connect to \(target): \(message)")
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    deinit {
        close()
    }

    /// Ends the session. Later calls throw `.connectionFailure`.
    public func close() {
        prepared.removeAll()
        PQfinish(handle)
        handle = nil
    }

    /// `true` while libpq considers the connection usable. It turns `false` after a call finds
    /// the connection lost; the server going away is only noticed by the next call.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The process id of the server session serving this connection, as `pg_stat_activity.pid` shows it.
    public var backendPID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    /// Connects again with the same settings after a lost connection. Statements are prepared again on use.
    /// - Throws: `PostgresError` with `.unableToConnect`.
    public func reset() throws(PostgresError) {
        guard let handle else { throw closedError(statement: nil) }
        prepared.removeAll()
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(
                code: .unableToConnect,
                message: "cannot reconnect to \(target): \(Self.trimmed(PQerrorMessage(handle)))"
            )
        }
    }

    /// Runs SQL text that takes no values, such as schema changes and `BEGIN`. Several statements
    /// may be separated by semicolons. Never use it with text that came from outside.
    @discardableResult
    public func execute(sql: String) throws(PostgresError) -> PostgresResult {
        guard let handle else { throw closedError(statement: sql) }
        return try consume(PQexec(handle, sql), statement: sql)
    }

    /// Prepares `sql` on first use and runs it with `values` bound to `$1...$n` in order.
    ///
    /// Parameter types are inferred by the server; write casts (`$1::bigint`) where a parameter's
    /// use does not fix its type.
    /// - Throws: `PostgresError`; `.characterNotInRepertoire` for text holding NUL, before anything is sent.
    @discardableResult
    public func execute(_ sql: String, _ values: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        guard let handle else { throw closedError(statement: sql) }
        let texts = values.map(\.parameterText)
        if texts.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                code: .characterNotInRepertoire,
                message: "text holding a NUL character cannot be stored in PostgreSQL",
                statement: sql
            )
        }
        let name = try preparedName(for: sql, on: handle)
        let result = Self.withCStrings(texts) { parameters in
            PQexecPrepared(handle, name, Int32(texts.count), parameters, nil, nil, 0)
        }
        return try consume(result, statement: sql)
    }

    /// The rows `sql` returns with `values` bound.
    public func rows(_ sql: String, _ values: [PostgresValue] = []) throws(PostgresError) -> [PostgresRow] {
        try execute(sql, values).rows
    }

    /// The first row `sql` returns, or `nil` when it returns none.
    public func firstRow(_ sql: String, _ values: [PostgresValue] = []) throws(PostgresError) -> PostgresRow? {
        try execute(sql, values).rows.first
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// A transaction the server cancels to break a deadlock, or fails on serialisation, is rolled
    /// back and run again, at most three times in all, so `body` must only touch the database.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        var attempt = 1
        while true {
            try execute(sql: "BEGIN")
            do {
                let result = try body()
                try execute(sql: "COMMIT")
                return result
            } catch {
                if isConnected { _ = try? execute(sql: "ROLLBACK") }
                if let failure = error as? PostgresError, failure.code.isTransient, attempt < 3 {
                    attempt += 1
                    continue
                }
                throw error
            }
        }
    }

    /// `name` as a quoted SQL identifier, for the few statements that take no parameters there
    /// (`LISTEN`, `CREATE DATABASE`).
    public static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func preparedName(for sql: String, on handle: OpaquePointer) throws(PostgresError) -> String {
        if let name = prepared[sql] { return name }
        let name = "lifeline_\(prepared.count + 1)"
        _ = try consume(PQprepare(handle, name, sql, 0, nil), statement: sql)
        prepared[sql] = name
        return name
    }

    /// Reads a result into rows and frees it, or throws the error it carries.
    private func consume(_ result: OpaquePointer?, statement: String) throws(PostgresError) -> PostgresResult {
        guard let result else { throw lostError(statement: statement) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            break
        default:
            throw error(from: result, statement: statement)
        }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            let values = (0..<columnCount).map { column -> String? in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
            rows.append(PostgresRow(values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(rows: rows, affectedRows: affected)
    }

    /// Builds the error a failed result carries. Errors that libpq raises itself have no SQLSTATE,
    /// and they count as a lost connection when the connection's status is bad.
    private func error(from result: OpaquePointer, statement: String) -> PostgresError {
        // The field codes are PG_DIAG_SQLSTATE ('C') and PG_DIAG_MESSAGE_PRIMARY ('M').
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let message = primary ?? Self.trimmed(PQresultErrorMessage(result))
        if let state {
            return PostgresError(code: PostgresError.SQLState(rawValue: state), message: message, statement: statement)
        }
        let code: PostgresError.SQLState = isConnected ? .internalError : .connectionFailure
        return PostgresError(code: code, message: message, statement: statement)
    }

    private func lostError(statement: String) -> PostgresError {
        let message = handle.map { Self.trimmed(PQerrorMessage($0)) } ?? "no connection"
        return PostgresError(code: .connectionFailure, message: message, statement: statement)
    }

    private func closedError(statement: String?) -> PostgresError {
        PostgresError(code: .connectionFailure, message: "the connection to \(target) is closed", statement: statement)
    }

    private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Calls `body` with a C array of the strings (NULL for `nil`), valid only during the call.
    private static func withCStrings<Result>(
        _ strings: [String?],
        _ body: ([UnsafePointer<CChar>?]) -> Result
    ) -> Result {
        let copies = strings.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    /// Loads libpq unless it is loaded: the PostgreSQL store's first libpq call goes through here.
    /// - Throws: `PostgresError` with `.unableToConnect` whose message is the load error, naming
    ///   the file and the package to install.
    private static func loadLibrary() throws(PostgresError) {
        do {
            try OptionalLibrary.postgresql.load(for: "store: postgresql")
        } catch {
            throw PostgresError(code: .unableToConnect, message: error.description)
        }
    }

    /// Describes the server, port, user and database a connection string names, without its password.
    static func describe(_ conninfo: String) throws(PostgresError) -> String {
        try loadLibrary()
        var failure: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &failure) else {
            let message = failure.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
            PQfreemem(failure)
            throw PostgresError(
                code: .unableToConnect,
                message: "the connection string is not valid: \(message ?? "out of memory")"
            )
        }
        defer { PQconninfoFree(options) }
        var fields: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                fields[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        let user = fields["user"].map { $0 + "@" } ?? ""
        let host = fields["host"] ?? fields["hostaddr"] ?? ""
        let port = fields["port"].map { ":" + $0 } ?? ""
        let database = fields["dbname"].map { "/" + $0 } ?? ""
        return "postgresql://\(user)\(host)\(port)\(database)"
    }
}
