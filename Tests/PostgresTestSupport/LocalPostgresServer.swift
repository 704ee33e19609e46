import Foundation
import Store

/// Why a local PostgreSQL server could not start; the message names the fix.
public struct LocalPostgresServerError: Error, CustomStringConvertible {
    public var description: String
}

/// A PostgreSQL server for tests, on 127.0.0.1 with a free port, in a new temporary directory.
///
/// `initdb` and `postgres` refuse to run as root, so as root they run as the `postgres` user
/// (`runuser`), who is given the directory. A small shell starts the server with `pg_ctl` and
/// then reads its standard input from a pipe that this process keeps open. The pipe closes on
/// `stop()` or when the test process ends, however it ends. The shell then stops the server and
/// deletes the directory. Without PostgreSQL's binaries starting fails, naming
/// `bash deploy/bootstrap.sh`. Durability is off (`fsync=off`): the data is thrown away anyway.
public struct LocalPostgresServer: Sendable {
    /// The role the server is created with; its password is `password`.
    public static let user = "lifeline_test"
    public let port: Int
    public let password: String
    public let directory: String
    /// The write end of the pipe the server's shell reads.
    let keepAlive: Int32

    /// Starts a new server on its own thread and returns once it accepts connections.
    /// - Parameter maxConnections: the server's `max_connections`.
    public static func start(maxConnections: Int) async throws -> LocalPostgresServer {
        try await onThread { try LocalPostgresServer.launch(maxConnections: maxConnections) }
    }

    /// Closes the pipe, so the shell stops the server and removes its directory. Returns at once.
    public func stop() {
        close(keepAlive)
    }

    private static func launch(maxConnections: Int) throws -> LocalPostgresServer {
        let binaries = try findBinaries(under: "/usr/lib/postgresql")
        let runAs = try serverUser()
        var template = Array("/tmp/lifeline-pg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LocalPostgresServerError(description: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: created)
        do {
            return try start(binaries: binaries, runAs: runAs, directory: directory, maxConnections: maxConnections)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private static func start(
        binaries: String,
        runAs: ServerUser?,
        directory: String,
        maxConnections: Int
    ) throws -> LocalPostgresServer {
        let password = UUID().uuidString
        let passwordFile = directory + "/password"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        if let runAs {
            for path in [directory, passwordFile] where chown(path, runAs.uid, runAs.gid) != 0 {
                throw LocalPostgresServerError(description: "cannot give \(path) to the postgres user: \(String(cString: strerror(errno)))")
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
        let keepAlive = try launchServer(
            binaries: binaries,
            runAs: runAs,
            directory: directory,
            port: port,
            maxConnections: maxConnections
        )
        try waitUntilReady(port: port, password: password, directory: directory)
        return LocalPostgresServer(port: port, password: password, directory: directory, keepAlive: keepAlive)
    }

    /// Finds the `bin` directory of the newest PostgreSQL under `root` (Debian's /usr/lib/postgresql).
    public static func findBinaries(under root: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let newest = versions.compactMap(Int.init).sorted().last { version in
            FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb")
                && FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl")
        }
        guard let newest else {
            throw LocalPostgresServerError(
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
            throw LocalPostgresServerError(
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
            throw LocalPostgresServerError(description: "\(arguments[0]) failed (\(process.terminationStatus)): \(text)")
        }
    }

    /// Starts the shell that runs the server until this process closes the pipe on its standard input.
    private static func launchServer(
        binaries: String,
        runAs: ServerUser?,
        directory: String,
        port: Int,
        maxConnections: Int
    ) throws -> Int32 {
        // Threads of this process block most signals, and children inherit that mask, so the shell
        // cannot wait for a background child. pg_ctl starts the server and stops it by its pid file.
        let script = """
            "$1/pg_ctl" start -w -t 60 -D "$2/data" -l "$2/server.log" -o "-h 127.0.0.1 -p $3 -k $2 \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=\(maxConnections)" >/dev/null 2>&1
            read -r _ || true
            "$1/pg_ctl" stop -w -t 60 -D "$2/data" -m fast >/dev/null 2>&1
            rm -rf "$2"
            """
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw LocalPostgresServerError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
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
        guard descriptor >= 0 else { throw LocalPostgresServerError(description: "cannot create a socket") }
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
        guard bound else { throw LocalPostgresServerError(description: "cannot bind a socket on 127.0.0.1") }
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
        throw LocalPostgresServerError(
            description: "the test server did not accept connections within 60 s: \(lastError.map { "\($0)" } ?? "")\n\(log)"
        )
    }
}

/// Runs a blocking `body` on a new thread and returns its result, so process launches and
/// waits never block the cooperative pool.
public func onThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Swift.Result { try body() })
        }
        thread.start()
    }
}
