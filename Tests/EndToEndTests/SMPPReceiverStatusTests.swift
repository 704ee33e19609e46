import Foundation
import SMPP
import Simulators
import Testing

/// The daemon with a `bind: transmitter_receiver` link whose receiver the SMSC drops: the outage
/// shows in `lifeline status`, `/metrics` and the log, the admins get an SMS through the link's
/// transmitter, and after the receiver binds again an all-clear.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SMPPReceiverStatusTests {
    static let admin = "+447700900777"

    /// Returns the config: one SMPP link to the simulator with two sessions, the HTTP API, and one
    /// admin number alerted after 1 s of receiver outage.
    static func config(directory: String, smscPort: UInt16, httpPort: UInt16) -> String {
        """
        database: \(directory)/lifeline.db
        http:
          listen: 127.0.0.1:\(httpPort)
        admins: ["\(admin)"]
        alerts:
          receiver_down_for: 1s
        providers:
          - id: carrier
            type: smpp
            host: 127.0.0.1
            port: \(smscPort)
            system_id: lifeline
            password_file: \(directory)/smpp.password
            bind: transmitter_receiver

        """
    }

    /// While the receiver cannot bind, status and metrics show it down with its reason, the log
    /// warns once that receipts are not arriving, and the admin gets one SMS saying so. After it
    /// binds again status and metrics clear and the admin gets the all-clear.
    @Test func receiverOutageIsShown() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(password: "recv-pw"))
        let smscPort = try await simulator.start()
        let httpPort = try unusedLoopbackPort()
        FileManager.default.createFile(
            atPath: directory + "/smpp.password",
            contents: Data("recv-pw".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let configPath = directory + "/lifeline.yaml"
        try Self.config(directory: directory, smscPort: smscPort, httpPort: httpPort)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        defer { if daemon.isRunning { daemon.terminate() } }
        #expect(await simulator.waitForBinds(count: 2, timeout: .seconds(20)))

        await simulator.failBinds([.receiver], status: .systemError)
        await simulator.dropConnections(boundAs: .receiver)
        let status = try await waitForStatus(configPath, containing: "receiver down since")
        // The reason is the drop at first, then the failed re-bind.
        let reasons = ["the SMSC closed the connection", "socket error", "bind rejected"]
        #expect(reasons.contains { status?.contains($0) == true }, "status:\n\(status ?? "")")
        let metrics = await ChaosHTTPClient.request(port: httpPort, method: "GET", path: "/metrics")
        #expect(metrics.raw.contains("lifeline_smpp_receiver_bound{provider=\"carrier\"} 0"))
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(log.components(separatedBy: "SMPP receiver session down").count - 1 == 1, "log:\n\(log)")
        let down = await waitForAdminText(simulator, containing: "receiver DOWN")
        #expect(down?.hasPrefix("Lifeline ") == true, "\(down ?? "none")")
        #expect(down?.contains("SMPP carrier receiver DOWN for") == true, "\(down ?? "none")")

        await simulator.failBinds([])
        let recovered = try await waitForStatus(configPath, lacking: "receiver")
        #expect(recovered != nil)
        let after = await ChaosHTTPClient.request(port: httpPort, method: "GET", path: "/metrics")
        #expect(after.raw.contains("lifeline_smpp_receiver_bound{provider=\"carrier\"} 1"))
        let back = await waitForAdminText(simulator, containing: "receiver is back")
        #expect(back?.contains("SMPP carrier receiver is back after") == true, "\(back ?? "none")")
        let alerts = await simulator.receivedMessages.filter { $0.destination == Self.admin.dropFirst() }
        #expect(alerts.count == 2, "\(alerts.map { $0.text ?? "" })")

        daemon.terminate()
        await waitForExit(daemon)
        await simulator.stop()
    }

    /// Returns the text of the first message to the admin containing `text` that the SMSC received
    /// within 30 s, or `nil`.
    private func waitForAdminText(_ simulator: SMSCSimulator, containing text: String) async -> String? {
        for _ in 0..<150 {
            let found = await simulator.receivedMessages.first { $0.destination == Self.admin.dropFirst() && $0.text?.contains(text) == true }
            if let found { return found.text }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    /// Re-runs `lifeline status` every 500 ms until its output contains `text` (or, with
    /// `lacking`, no longer contains it), for at most 30 s. Returns the output, or `nil`.
    private func waitForStatus(_ configPath: String, containing text: String? = nil, lacking: String? = nil)
        async throws -> String?
    {
        for _ in 0..<60 {
            let result = try await LifelineBinary.run(["status", "--config", configPath])
            let output = result.stdout
            if let text, output.contains(text) { return output }
            if let lacking, output.contains("Daemon: running"), !output.contains(lacking) { return output }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("lifeline status never matched")
        return nil
    }
}
