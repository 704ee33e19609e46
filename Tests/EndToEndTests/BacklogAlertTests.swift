import Foundation
import Simulators
import Testing

/// A queue that stays above `alerts.backlog_threshold` gets the admins an SMS and the log a
/// warning; once it drains, an all-clear and a notice.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct BacklogAlertTests {
    struct MessageRow: Decodable {
        var recipient: String
        var text: String
        var state: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let admin = "+447700900999"

    /// Eight messages through a link limited to two a second stay above a threshold of 3 for over
    /// a second: the admin gets "queue backed up", then "queue backlog cleared" once they are sent.
    @Test func backlogRaisedThenCleared() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let smsc = SMSCSimulator()
        let port = try await smsc.start()
        FileManager.default.createFile(
            atPath: directory.path + "/smpp.password",
            contents: Data("secret".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let recipients = (1...8).map { String(format: "+4477009%05d", $0) }
        try ("number\n" + recipients.joined(separator: "\n") + "\n")
            .write(toFile: directory.path + "/recipients.csv", atomically: true, encoding: .utf8)
        let configPath = directory.path + "/lifeline.yaml"
        try """
            database: \(directory.path)/lifeline.db
            log_level: info
            admins: ["\(Self.admin)"]
            alerts:
              backlog_threshold: 3
              backlog_for: 1s
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(port)
                system_id: lifeline
                password_file: \(directory.path)/smpp.password
                rate: {per_second: 2, burst: 1}

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory.path + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }
        do {
            guard await smsc.waitForBinds(count: 1, timeout: .seconds(30)) else {
                throw Failure(description: "the daemon did not bind")
            }
            let queued = try await LifelineBinary.run([
                "broadcast", "--config", configPath, "--to-file", directory.path + "/recipients.csv",
                "--text", "Lunch moves to 13.00", "--priority", "bulk",
            ])
            try #require(queued.status == 0, "broadcast failed: \(queued.stderr)")
            try await waitUntil("the backlog cleared") { log().contains("Queue backlog cleared") }
            let alerts = try await waitForAdminMessages(configPath, count: 2)

            #expect(log().contains("<4>warning lifeline: Queue backed up"), "the backlog is logged at warning")
            let raised = alerts.first { $0.text.contains("queue backed up: ") }
            #expect(raised != nil, "\(alerts.map(\.text))")
            #expect(raised?.text.contains("over 3 for") == true, "\(alerts.map(\.text))")
            #expect(alerts.contains { $0.text.contains("queue backlog cleared: ") })
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(log())")
        }
        daemon.interrupt()
        await waitForExit(daemon)
        await smsc.stop()
        #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\(log())")
    }

    /// Re-reads the messages until `count` are addressed to the admin, for at most 30 s.
    private func waitForAdminMessages(_ configPath: String, count: Int) async throws -> [MessageRow] {
        var found: [MessageRow] = []
        for _ in 0..<120 {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--limit", "50", "--json"])
            let rows = (try? JSONDecoder().decode([MessageRow].self, from: Data(result.stdout.utf8))) ?? []
            found = rows.filter { $0.recipient == Self.admin }
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Failure(description: "\(found.count) of \(count) admin messages queued: \(found.map(\.text))")
    }

    /// Checks `condition` every 100 ms for at most 45 s.
    private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<450 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting until \(what)")
    }
}
