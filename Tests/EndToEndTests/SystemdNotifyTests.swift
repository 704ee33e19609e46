import Foundation
import Testing

/// `lifeline serve` talks to systemd through sd_notify: READY=1 once started, WATCHDOG=1 pings
/// while the dispatcher and the store respond, STOPPING=1 on SIGTERM. The test itself plays
/// systemd by listening on the NOTIFY_SOCKET it gives the daemon.
@Suite(.timeLimit(.minutes(1)))
struct SystemdNotifyTests {
    /// A datagram socket bound to a path, collecting what the daemon sends.
    final class NotifySocket: @unchecked Sendable {
        // @unchecked: `messages` is only touched under `lock`; the descriptor is closed once, in `close()`.
        let path: String
        private let descriptor: Int32
        private let lock = NSLock()
        private var messages: [String] = []

        init(path: String) throws {
            self.path = path
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw FailoverPoolTests.WaitFailure(description: "bind \(path) failed: errno \(errno)") }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Reads datagrams until one contains `line`, for at most `attempts` receive timeouts of 200 ms.
        func waitFor(_ line: String, attempts: Int = 100) async -> Bool {
            await withCheckedContinuation { continuation in
                Thread { [self] in
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    for _ in 0..<attempts {
                        if received(line) { return continuation.resume(returning: true) }
                        let count = recv(descriptor, &buffer, buffer.count, 0)
                        if count > 0 {
                            let message = String(decoding: buffer[0..<count], as: UTF8.self)
                            lock.withLock { messages.append(message) }
                        }
                    }
                    continuation.resume(returning: received(line))
                }.start()
            }
        }

        func received(_ line: String) -> Bool {
            lock.withLock { messages.contains { $0.split(separator: "\n").contains(Substring(line)) } }
        }

        func close() {
            _ = Glibc.close(descriptor)
            unlink(path)
        }
    }

    /// READY=1 arrives after start-up, watchdog pings follow, and SIGTERM brings STOPPING=1 and exit 0.
    @Test func readyWatchdogStopping() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cloudPort = try unusedLoopbackPort()
        let configPath = directory + "/lifeline.yaml"
        try """
            database: \(directory)/lifeline.db
            providers:
              - id: twilio
                type: twilio
                account_sid: AC0123456789abcdef0123456789abcdef
                auth_token: not-a-real-token
                from: "+15005550006"
                base_url: http://127.0.0.1:\(cloudPort)

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        chmod(configPath, 0o600)
        let socket = try NotifySocket(path: directory + "/notify.sock")
        defer { socket.close() }

        let daemon = try LifelineBinary.startDaemon(
            configPath: configPath,
            logPath: directory + "/daemon.log",
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"]
        )
        let ready = await socket.waitFor("READY=1")
        let pinged = await socket.waitFor("WATCHDOG=1")
        daemon.terminate()
        let stopping = await socket.waitFor("STOPPING=1")
        await waitForExit(daemon)

        #expect(ready)
        #expect(pinged)
        #expect(stopping)
        #expect(daemon.terminationStatus == 0)
    }
}
