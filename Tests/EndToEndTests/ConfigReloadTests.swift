import Foundation
import Simulators
import Testing

/// SIGHUP reloads the config: a broken file is rejected and the daemon keeps running; a valid one
/// brings in a new provider, and the message queued while no provider could send it goes out.
@Suite(.timeLimit(.minutes(2)))
struct ConfigReloadTests {
    static func config(directory: String, cloudPort: UInt16, modemPath: String?, port: UInt16) -> String {
        var text = """
            database: \(directory)/lifeline.db
            http:
              listen: 127.0.0.1:\(port)
            providers:
              - id: twilio
                type: twilio
                account_sid: AC0123456789abcdef0123456789abcdef
                auth_token_file: \(directory)/twilio.token
                from: "+15005550006"
                base_url: http://127.0.0.1:\(cloudPort)

            """
        if let modemPath {
            text += """
                  - id: modem-1
                    type: modem
                    device: \(modemPath)

                """
        }
        return text
    }

    /// A broken reload is rejected with the daemon still serving; a valid one adds the modem.
    @Test func reloadAddsProvider() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/twilio.token", contents: Data("token".utf8), attributes: [.posixPermissions: 0o600])
        let cloudPort = try unusedLoopbackPort()
        let httpPort = try unusedLoopbackPort()
        let modem = ModemSimulator(profile: .healthy)
        let modemPath = try modem.start()
        defer { modem.stop() }
        let configPath = directory + "/lifeline.yaml"
        try Self.config(directory: directory, cloudPort: cloudPort, modemPath: nil, port: httpPort)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        defer { if daemon.isRunning { daemon.terminate() } }
        // SIGHUP before the daemon has set up its signal handling would end it, as for any process.
        try #require(await waitForLog(logPath, containing: "Daemon started"))

        let queued = try await LifelineBinary.run(["send", "--config", configPath, "--to", "+447700900123", "--text", "waits for a modem"])
        try #require(queued.status == 0, "send failed: \(queued.stderr)")

        try "database: [unclosed\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await waitForLog(logPath, containing: "Config reload rejected"))
        #expect(daemon.isRunning)

        try Self.config(directory: directory, cloudPort: cloudPort, modemPath: modemPath, port: httpPort)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await waitForLog(logPath, containing: "Configuration reloaded"))

        var delivered = false
        for _ in 0..<150 where !delivered {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--id", "1", "--json"])
            delivered = result.stdout.contains("\"state\" : \"delivered\"")
            if !delivered { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(delivered, "log:\n\((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        #expect(!modem.receivedPDUs.isEmpty)

        daemon.terminate()
        await waitForExit(daemon)
        #expect(daemon.terminationStatus == 0)
    }

    /// Re-reads the log until it contains `text`, for at most 20 s.
    private func waitForLog(_ path: String, containing text: String) async -> Bool {
        for _ in 0..<100 {
            if let log = try? String(contentsOfFile: path, encoding: .utf8), log.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}
