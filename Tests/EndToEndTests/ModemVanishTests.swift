import Foundation
import Simulators
import Testing

/// A USB modem unplugged while the daemon runs: its device node disappears (the simulator closes
/// the pseudo terminal, which removes `/dev/pts/N`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ModemVanishTests {
    struct MessageRow: Decodable {
        var id: Int64
        var recipient: String
        var state: String
        var providerID: String?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The daemon logs the vanished modem as lost, sends the following messages through the
    /// second modem, and keeps running until it is stopped.
    @Test func modemVanishesMidRun() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = ModemSimulator(profile: .healthy)
        let second = ModemSimulator(profile: .healthy)
        defer {
            first.stop()
            second.stop()
        }
        let firstPath = try first.start()
        let secondPath = try second.start()
        let configPath = directory.path + "/lifeline.yaml"
        try """
            database: \(directory.path)/lifeline.db
            log_level: info
            breaker:
              failure_threshold: 1
              cooldown: 2s
            providers:
              - id: modem-1
                type: modem
                device: \(firstPath)
              - id: modem-2
                type: modem
                device: \(secondPath)

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory.path + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }
        do {
            try await waitUntil("both modems initialised") {
                first.receivedCommands.contains("AT+CREG?") && second.receivedCommands.contains("AT+CREG?")
            }
            let before = try await send(configPath, to: "+447700900101")
            let beforeRow = try await waitForFinal(configPath, id: before)
            #expect(beforeRow.providerID == "modem-1", "the first modem sends while it is there")

            first.stop()
            #expect(!FileManager.default.fileExists(atPath: firstPath), "the device node is gone")
            var ids: [Int64] = []
            for number in 102...105 {
                ids.append(try await send(configPath, to: "+447700900\(number)"))
            }
            var rows: [MessageRow] = []
            for id in ids {
                rows.append(try await waitForFinal(configPath, id: id))
            }
            try await waitUntil("modem-1 reported lost") {
                log().contains("Modem lost provider.id=modem-1")
            }

            #expect(rows.allSatisfy { $0.state == "delivered" }, "\(rows.map { "\($0.id):\($0.state)" })")
            #expect(rows.allSatisfy { $0.providerID == "modem-2" }, "\(rows.map { "\($0.id):\($0.providerID ?? "-")" })")
            #expect(second.receivedPDUs.count == 4)
            #expect(daemon.isRunning, "the daemon exited after the modem vanished")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(log())")
        }
        daemon.interrupt()
        await waitForExit(daemon)
        #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\(log())")
    }

    /// Queues one message through the CLI and returns its id.
    private func send(_ configPath: String, to recipient: String) async throws -> Int64 {
        let result = try await LifelineBinary.run(["send", "--config", configPath, "--to", recipient, "--text", "Gate 4 closed", "--json"])
        guard result.status == 0 else { throw Failure(description: "send failed: \(result.stderr)") }
        struct Accepted: Decodable { var id: Int64 }
        return try JSONDecoder().decode(Accepted.self, from: Data(result.stdout.utf8)).id
    }

    /// Re-reads the message until it is final (delivered, failed, expired or cancelled), for at most 60 s.
    private func waitForFinal(_ configPath: String, id: Int64) async throws -> MessageRow {
        let finalStates: Set<String> = ["delivered", "failed", "expired", "cancelled"]
        var last: MessageRow?
        for _ in 0..<240 {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--limit", "50", "--json"])
            let rows = (try? JSONDecoder().decode([MessageRow].self, from: Data(result.stdout.utf8))) ?? []
            last = rows.first { $0.id == id }
            if let last, finalStates.contains(last.state) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Failure(description: "message \(id) never final: \(last.map { "\($0.state)" } ?? "missing")")
    }

    /// Checks `condition` every 50 ms for at most 30 s.
    private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<600 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "timed out waiting until \(what)")
    }
}
