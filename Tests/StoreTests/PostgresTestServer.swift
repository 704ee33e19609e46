import Foundation
import PostgresTestSupport
import Testing

@testable import Store

/// A PostgreSQL server (`LocalPostgresServer`) started once per test process. Every PostgreSQL
/// test shares it, and each test gets its own database. It is never stopped: it stops when the
/// test process ends, however it ends.
final class PostgresTestServer: Sendable {
    static let user = LocalPostgresServer.user
    let port: Int
    let password: String
    let directory: String
    /// Creates and drops the tests' databases, on its own thread.
    let admin: PostgresExecutor

    private static let started = Task<PostgresTestServer, any Error> {
        let launched = try await LocalPostgresServer.start(maxConnections: 300)
        let admin = PostgresExecutor(target: "test server")
        let url = "postgresql://\(user):\(launched.password)@127.0.0.1:\(launched.port)/postgres"
        try await admin.open { try PostgresConnection(conninfo: url) }
        return PostgresTestServer(launched: launched, admin: admin)
    }

    /// Returns the shared server, which the first caller starts.
    static func shared() async throws -> PostgresTestServer {
        try await started.value
    }

    private init(launched: LocalPostgresServer, admin: PostgresExecutor) {
        self.port = launched.port
        self.password = launched.password
        self.directory = launched.directory
        self.admin = admin
    }

    /// Returns the URL of `database` on this server, with the password.
    func url(database: String) -> String {
        "postgresql://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// Creates a new empty database and returns its name.
    func makeDatabase() async throws -> String {
        let name = "lifeline_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        _ = try await admin.run { connection in
            try connection.execute(sql: "CREATE DATABASE " + PostgresConnection.quotedIdentifier(name))
        }
        return name
    }

    /// Drops `database`, ending its sessions first.
    func dropDatabase(_ name: String) async {
        _ = try? await admin.run { connection in
            try connection.execute(sql: "DROP DATABASE IF EXISTS \(PostgresConnection.quotedIdentifier(name)) WITH (FORCE)")
        }
    }

    /// Runs `sql` with `values` on a new connection to `database` and returns its rows. Without
    /// values, `sql` may hold several statements, and the rows are those of the last one.
    func rows(database: String, _ sql: String, _ values: [PostgresValue] = []) async throws -> [PostgresRow] {
        let executor = PostgresExecutor(target: database)
        let url = url(database: database)
        do {
            try await executor.open { try PostgresConnection(conninfo: url, applicationName: "lifeline.test") }
            let rows = try await executor.run { connection in
                values.isEmpty ? try connection.execute(sql: sql).rows : try connection.rows(sql, values)
            }
            await executor.close()
            return rows
        } catch {
            await executor.close()
            throw error
        }
    }

    /// Runs `sql` on `database` and returns the first column of the first row as an integer.
    func integer(database: String, _ sql: String, _ values: [PostgresValue] = []) async throws -> Int64? {
        try await rows(database: database, sql, values).first?.optionalInt64(0)
    }
}
