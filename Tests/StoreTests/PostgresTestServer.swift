import Foundation
import Testing

@testable import Store

/// Why the test server could not start; the message names the fix.
struct PostgresTestServerError: Error, CustomStringConvertible {
    var description: String
}

/// A PostgreSQL server started once per test process, on 127.0.0.1 with a free port, in a new
/// temporary directory. Every PostgreSQL test shares it, and each test gets its own database.
///
/// `initdb` and `postgres` refuse to run as root, so as root they run as the `postgres` user
/// (`runuser`), who is given the directory. A small shell starts the server with `pg_ctl` and
/// then reads its standard input from a pipe that this process keeps open. When the test process
/// ends, however it ends, the pipe closes, and the shell stops the server and deletes the directory.
/// Without PostgreSQL's binaries the tests fail, naming `bash deploy/bootstrap.sh`.
final class PostgresTestServer: Sendable {
    static let user = "lifeline_test"
    let port: Int
    let password: String
    let directory: String
    /// Creates and drops the tests' databases, on its own thread.
    let admin: PostgresExecutor
    /// The write end of the pipe the server's shell reads; never closed, so it closes when the process ends.
    private let keepAlive: Int32

    private static let started = Task<PostgresTestServer, any Error> {
        let launched = try await onThread { try PostgresTestServer.start() }
        let admin = PostgresExecutor(target: "test server")
        let url = "postgresql://\(user):\(launched.password)@127.0.0.1:\(launched.port)/postgres"
        try await admin.open { try PostgresConnection(conninfo: url) }
        return PostgresTestServer(launched: launched, admin: admin)
    }

    /// Returns the shared server, which the first caller starts.
    static func shared() async throws -> PostgresTestServer {
        try await started.value
    }

    private init(launched: Launched, admin: PostgresExecutor) {
        self.port = launched.port
        self.password = launched.password
        self.directory = launched.directory
        self.keepAlive = launched.keepAlive
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

    // MARK: Starting

    /// What `start` leaves running.
    struct Launched: Sendable {
        var port: Int
        var password: String
        var directory: String
        var keepAlive: Int32
    }

    private static func start() throws -> Launched {
        let binaries = try findBinaries(under: "/usr/lib/postgresql")
        let runAs = try serverUser()
        var template = Array("/tmp/lifeline-pg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw PostgresTestServerError(description: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: created)
        do {
            return try start(binaries: binaries, runAs: runAs, directory: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private static func start(binaries: String, runAs: ServerUser?, directory: String) throws -> Launched {
        let password = UUID().uuidString
        let passwordFile = directory + "/password"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        if let runAs {
            for path in [directory, passwordFile] where chown(path, runAs.uid, runAs.gid) != 0 {
                throw PostgresTestServerError(description: "cannot give \(path) to the postgres user: \(String(cString: strerror(errno)))")
            }
        }
        try runToEnd(
            runAs: runAs,
            binaries + "/initdb",
            "-D", directory + "/data", "-U", user, "--pwfile=" + passwordFile,
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        try? FileManager.default.removeItem(atPath: passwordFile)

        let port = try freePort()
        let keepAlive = try launchServer(binaries: binaries, runAs: runAs, directory: directory, port: port)
        try waitUntilReady(port: port, password: password, directory: directory)
        return Launched(port: port, password: password, directory: directory, keepAlive: keepAlive)
    }

    /// Finds the `bin` directory of the newest PostgreSQL under `root` (Debian's /usr/lib/postgresql).
    static func findBinaries(under root: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let newest = versions.compactMap(Int.init).sorted().last { version in
            FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb")
                && FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl")
        }
        guard let newest else {
            throw PostgresTestServerError(
                description: "PostgreSQL's server binaries (initdb, pg_ctl) were not found under \(root)/*/bin. "
                    + "Run `bash deploy/bootstrap.sh`, which installs Debian's postgresql package."
            )
        }
        return "\(root)/\(newest)/bin"
    }

    struct ServerUser {
        var uid: uid_t
        var gid: gid_t
    }

    /// As root, the `postgres` user the server must run as; otherwise `nil` (the server runs as us).
    private static func serverUser() throws -> ServerUser? {
        guard getuid() == 0 else { return nil }
        guard let entry = getpwnam("postgres") else {
            throw PostgresTestServerError(
                description: "As root, the test server runs as the postgres user, and there is none. "
                    + "Run `bash deploy/bootstrap.sh`, which installs Debian's postgresql package and creates it."
            )
        }
        return ServerUser(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    private static func command(runAs: ServerUser?, _ arguments: [String]) -> (String, [String]) {
        guard runAs != nil else { return (arguments[0], Array(arguments.dropFirst())) }
        return ("/usr/sbin/runuser", ["-u", "postgres", "--"] + arguments)
    }

    private static func runToEnd(runAs: ServerUser?, _ arguments: String...) throws {
        let (executable, rest) = command(runAs: runAs, arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = rest
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PostgresTestServerError(description: "\(arguments[0]) failed (\(process.terminationStatus)): \(text)")
        }
    }

    /// Starts the shell that runs the server until this process closes the pipe on its standard input.
    private static func launchServer(
        binaries: String,
        runAs: ServerUser?,
        directory: String,
        port: Int
    ) throws -> Int32 {
        // Threads of this process block most signals, and children inherit that mask, so the shell
        // cannot wait for a background child. pg_ctl starts the server and stops it by its pid file.
        let script = """
            "$1/pg_ctl" start -w -t 60 -D "$2/data" -l "$2/server.log" -o "-h 127.0.0.1 -p $3 -k $2 \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null 2>&1
            read -r _ || true
            "$1/pg_ctl" stop -w -t 60 -D "$2/data" -m fast >/dev/null 2>&1
            rm -rf "$2"
            """
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw PostgresTestServerError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let (executable, arguments) = command(runAs: runAs, ["/bin/sh", "-c", script, "sh", binaries, directory, String(port)])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let reading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        process.standardInput = reading
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try reading.close()
        return ends[1]
    }

    /// Returns a port with no listener now, chosen by the kernel.
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PostgresTestServerError(description: "cannot create a socket") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw PostgresTestServerError(description: "cannot bind a socket on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Tries to connect every 50 ms until the server accepts the connection, for at most 60 s.
    private static func waitUntilReady(port: Int, password: String, directory: String) throws {
        let url = "postgresql://\(user):\(password)@127.0.0.1:\(port)/postgres"
        let deadline = Date().addingTimeInterval(60)
        var lastError: (any Error)?
        while Date() < deadline {
            do {
                _ = try PostgresConnection(conninfo: url, connectTimeout: 2)
                return
            } catch {
                lastError = error
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
        throw PostgresTestServerError(
            description: "the test server did not accept connections within 60 s: \(lastError.map { "\($0)" } ?? "")\n\(log)"
        )
    }
}

/// Runs a blocking `body` on a new thread and returns its result, so process launches and
/// waits never block the cooperative pool.
func onThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Swift.Result { try body() })
        }
        thread.start()
    }
}
