import Foundation
import Simulators
import Testing

/// A provider found down by its probe triggers an emergency SMS to the admin numbers, which leaves
/// through the provider still up.
@Suite(.timeLimit(.minutes(1)))
struct AdminAlertTests {
    /// The Twilio probe fails (connection refused), so the admin gets "provider twilio is DOWN" via the modem.
    @Test func providerDownAlertsAdmins() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/twilio.token", contents: Data("token".utf8), attributes: [.posixPermissions: 0o600])
        let cloudPort = try unusedLoopbackPort()
        let modem = ModemSimulator(profile: .healthy)
        let modemPath = try modem.start()
        defer { modem.stop() }
        let configPath = directory + "/lifeline.yaml"
        try """
            database: \(directory)/lifeline.db
            admins: ["+447700900999"]
            providers:
              - id: twilio
                type: twilio
                account_sid: AC0123456789abcdef0123456789abcdef
                auth_token_file: \(directory)/twilio.token
                from: "+15005550006"
                base_url: http://127.0.0.1:\(cloudPort)
              - id: modem-1
                type: modem
                device: \(modemPath)

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: directory + "/daemon.log")

        struct Row: Decodable { var recipient: String; var text: String; var state: String; var providerID: String? }
        var alert: Row?
        for _ in 0..<150 where alert?.state != "delivered" {
            let listing = try await LifelineBinary.run(["messages", "--config", configPath, "--json"])
            let rows = (try? JSONDecoder().decode([Row].self, from: Data(listing.stdout.utf8))) ?? []
            alert = rows.first { $0.recipient == "+447700900999" }
            if alert?.state != "delivered" { try await Task.sleep(for: .milliseconds(200)) }
        }
        daemon.terminate()
        await waitForExit(daemon)

        #expect(alert?.text.contains("provider twilio is DOWN") == true)
        #expect(alert?.state == "delivered")
        #expect(alert?.providerID == "modem-1")
    }
}
