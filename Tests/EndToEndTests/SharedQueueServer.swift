import Foundation
import PostgresTestSupport
import Store
import Testing

/// A PostgreSQL server (`LocalPostgresServer`) for one end-to-end test, holding only the
/// `postgres` database the daemons share.
final class SharedQueueServer: Sendable {
    static let user = LocalPostgresServer.user
    let server: LocalPostgresServer
    var port: Int { server.port }
    var password: String { server.password }
    var directory: String { server.directory }

    /// Starts a new server and returns once it accepts connections.
    static func start() async throws -> SharedQueueServer {
        SharedQueueServer(server: try await LocalPostgresServer.start(maxConnections: 100))
    }

    private init(server: LocalPostgresServer) {
        self.server = server
    }

    /// The URL of the shared database without the password, as a config's `database` gives it.
    var url: String {
        "postgresql://\(Self.user)@127.0.0.1:\(port)/postgres"
    }

    /// The URL with the password, for the test's own connections.
    var urlWithPassword: String {
        "postgresql://\(Self.user):\(password)@127.0.0.1:\(port)/postgres"
    }

    /// Runs `sql` on a new connection, on its own thread, and returns its rows.
    func rows(_ sql: String) async throws -> [PostgresRow] {
        let url = urlWithPassword
        return try await onThread {
            let connection = try PostgresConnection(conninfo: url, applicationName: "lifeline.test")
            defer { connection.close() }
            return try connection.rows(sql)
        }
    }

    /// Closes the pipe, so the shell stops the server and removes its directory. Returns at once.
    func stop() {
        server.stop()
    }
}
