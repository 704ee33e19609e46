import Foundation
import Simulators
import Testing

/// The daemon's status snapshot at the path `status_file` names, as a PostgreSQL box or a
/// read-only `/etc` needs, and a path it cannot write.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct StatusFileTests {
    /// Returns the config: one SMPP link to the simulator and `statusFile` as `status_file`.
    static func config(directory: String, smscPort: UInt16, statusFile: String) -> String {
        """
        database: \(directory)/lifeline.db
        status_file: \(statusFile)
        providers:
          - id: carrier
            type: smpp
            host: 127.0.0.1
            port: \(smscPort)
            system_id: lifeline
            password_file: \(directory)/smpp.password

        """
    }

    /// Starts the simulator, writes the password file and the config, and returns the config's path.
    private static func stage(_ directory: String, _ simulator: SMSCSimulator, statusFile: String) async throws -> String {
        let smscPort = try await simulator.start()
        FileManager.default.createFile(
            atPath: directory + "/smpp.password",
            contents: Data("stat-pw".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let configPath = directory + "/lifeline.yaml"
        try config(directory: directory, smscPort: smscPort, statusFile: statusFile)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        return configPath
    }

    /// A relative `status_file` is written beside the config file, `lifeline status` reads it, and
    /// nothing is written at the default beside the database.
    @Test func snapshotAtConfiguredPath() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: false)
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(password: "stat-pw"))
        let configPath = try await Self.stage(directory, simulator, statusFile: "state/status.json")
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: directory + "/daemon.log")
        defer { if daemon.isRunning { daemon.terminate() } }

        let running = try await OptionalLibraryMappingTests.waitUntilRunning(configPath)
        #expect(running, "log:\n\(Self.read(directory + "/daemon.log"))")
        #expect(FileManager.default.fileExists(atPath: directory + "/state/status.json"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/lifeline.db.status.json"))
        daemon.terminate()
        await waitForExit(daemon)
        await simulator.stop()
    }

    /// A `status_file` in a missing directory is logged once with the path and the fix, the daemon
    /// goes on sending, and `lifeline status` names the file. Once the directory exists the
    /// snapshot is written, the log records it, and status reports the daemon running.
    @Test func unwritableSnapshotIsLoggedOnce() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let statusFile = directory + "/missing/status.json"
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(password: "stat-pw"))
        let configPath = try await Self.stage(directory, simulator, statusFile: statusFile)
        let logPath = directory + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        defer { if daemon.isRunning { daemon.terminate() } }
        try #require(await simulator.waitForBinds(count: 1, timeout: .seconds(20)), "log:\n\(Self.read(logPath))")

        let warning = "Status snapshot not written"
        #expect(await OptionalLibraryMappingTests.waitForLog(logPath, containing: warning))
        // Three more writes fail in the next 6 s; none of them is logged again.
        try await Task.sleep(for: .seconds(6))
        let log = Self.read(logPath)
        #expect(log.components(separatedBy: warning).count - 1 == 1, "log:\n\(log)")
        #expect(log.contains(statusFile), "log:\n\(log)")
        #expect(log.contains("Set status_file to a file in a directory the service may write"), "log:\n\(log)")
        #expect(daemon.isRunning)

        let sent = try await LifelineBinary.run(["send", "--config", configPath, "--to", "+447700900123", "--text", "still sending"])
        #expect(sent.status == 0, "send failed: \(sent.stderr)")
        #expect(await Self.waitForSubmits(simulator, count: 1))
        let status = try await LifelineBinary.run(["status", "--config", configPath])
        #expect(status.stdout.contains("Daemon: not running (no status published to \(statusFile) in the last 15 s)"), "\(status.stdout)")

        try FileManager.default.createDirectory(atPath: directory + "/missing", withIntermediateDirectories: false)
        #expect(try await OptionalLibraryMappingTests.waitUntilRunning(configPath))
        #expect(await OptionalLibraryMappingTests.waitForLog(logPath, containing: "Status snapshot written again"))
        daemon.terminate()
        await waitForExit(daemon)
        await simulator.stop()
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Waits until the simulator has received `count` messages, for at most 20 s.
    private static func waitForSubmits(_ simulator: SMSCSimulator, count: Int) async -> Bool {
        for _ in 0..<100 {
            if await simulator.receivedMessages.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}
