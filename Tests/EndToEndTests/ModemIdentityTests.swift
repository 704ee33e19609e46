import Foundation
import Simulators
import Testing

/// The daemon finding a modem by IMEI among the ports a scan pattern lists, and again after the
/// modem comes back under another path.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ModemIdentityTests {
    static let wantedIMEI = "867530022222225"

    struct MessageRow: Decodable {
        var id: Int64
        var state: String
        var providerID: String?
    }

    /// Messages go out through the modem with the configured IMEI, before and after a replug that
    /// moves it to another path. The other modem sends nothing.
    @Test func sendsThroughModemFoundByIMEI() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var simulators: [ModemSimulator] = []
        defer { for simulator in simulators { simulator.stop() } }
        func plug(_ name: String, imei: String) throws -> ModemSimulator {
            var profile = ModemSimulatorProfile.healthy
            profile.imei = imei
            let simulator = ModemSimulator(profile: profile)
            try FileManager.default.createSymbolicLink(
                atPath: directory.path + "/" + name,
                withDestinationPath: try simulator.start()
            )
            simulators.append(simulator)
            return simulator
        }
        let other = try plug("ttyA", imei: "867530011111118")
        let wanted = try plug("ttyB", imei: Self.wantedIMEI)
        let configPath = directory.path + "/lifeline.yaml"
        try """
            database: \(directory.path)/lifeline.db
            log_level: debug
            breaker:
              failure_threshold: 1
              cooldown: 1s
            providers:
              - id: modem-1
                type: modem
                imei: "\(Self.wantedIMEI)"
                scan: \(directory.path)/tty*

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory.path + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }
        do {
            try await send(configPath, to: "+447700900001")
            try await waitUntil("the first message left") { wanted.receivedPDUs.count == 1 }

            // Unplugged, then back under another name with a new pty.
            wanted.stop()
            try FileManager.default.removeItem(atPath: directory.path + "/ttyB")
            let replugged = try plug("ttyC", imei: Self.wantedIMEI)
            try await send(configPath, to: "+447700900002")
            try await waitUntil("the second message left through the replugged modem") { replugged.receivedPDUs.count == 1 }

            #expect(other.receivedPDUs.isEmpty)
            #expect(log().contains(directory.path + "/ttyC"), "the daemon log names the new path")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(log())")
        }
        daemon.interrupt()
        await waitForExit(daemon)
        #expect(daemon.terminationStatus == 0)
    }

    private func send(_ configPath: String, to number: String) async throws {
        let result = try await LifelineBinary.run([
            "send", "--config", configPath, "--to", number, "--text", "Identity check", "--priority", "high",
        ])
        try #require(result.status == 0, "send failed: \(result.stderr)")
    }

    /// Checks `condition` every 50 ms for at most 90 s.
    private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<1800 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ModemFleetTests.WaitFailure(description: "timed out waiting until \(what)")
    }
}
