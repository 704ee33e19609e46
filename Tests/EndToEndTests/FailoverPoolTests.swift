import Foundation
import Simulators
import Testing

/// The daemon binary with a config file, against an SMSC written by others (smpp.twisted3), the
/// project's modem simulator on a pseudo terminal, and a cloud endpoint that first refuses
/// connections and later responds as Twilio's API does.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FailoverPoolTests {
    /// The fields of `lifeline messages --json` this test reads.
    struct MessageRow: Decodable {
        var id: Int64
        var state: String
        var providerID: String?
        var attempts: Int
    }

    struct AttemptRow: Decodable {
        var providerID: String
        var outcome: String?
    }

    struct MessageDetail: Decodable {
        var message: MessageRow
        var attempts: [AttemptRow]
    }

    struct StatusReport: Decodable {
        struct Provider: Decodable {
            var id: String
            var breaker: String
            var health: String
        }

        var daemonRunning: Bool
        var providers: [Provider]
    }

    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let authToken = "e2e-auth-token"

    /// Cloud refused -> SMPP delivers; SMPP down too -> the modem delivers; the cloud comes back ->
    /// the first provider is used again after the breaker's cool-down.
    @Test func failoverAndRecovery() async throws {
        let stage = try await Stage.start()
        defer { stage.cleanUp() }
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.directory + "/daemon.log")
        var cloud: PeerProcess?
        do {
            // Cloud refused: the SMPP link delivers, with a receipt from the external SMSC.
            let first = try await send(stage, to: "+447700900123", text: "Keynote moves to Hall B")
            let firstDetail = try await waitForState(stage, id: first, states: ["delivered"])
            #expect(firstDetail.message.providerID == "carrier")
            #expect(firstDetail.attempts.allSatisfy { $0.providerID != "modem-1" })
            #expect(firstDetail.attempts.last?.outcome == "accepted")

            // The SMSC goes away: the modem delivers, with a status report.
            await stage.smsc.stop()
            let second = try await send(stage, to: "+447700900456", text: "Evacuate Hall B", priority: "emergency")
            let secondDetail = try await waitForState(stage, id: second, states: ["delivered"])
            #expect(secondDetail.message.providerID == "modem-1")
            #expect(!stage.modem.receivedPDUs.isEmpty)

            // The cloud responds again: after the cool-down a probe closes the breaker and Twilio is first again.
            cloud = try await PeerProcess.start(
                script: "cloud_fake.py",
                arguments: ["--port", String(stage.cloudPort), "--account-sid", Self.accountSID, "--auth-token", Self.authToken]
            )
            try await waitForBreaker(stage, provider: "twilio", state: "closed")
            let third = try await send(stage, to: "+447700900789", text: "Doors open again")
            let thirdDetail = try await waitForState(stage, id: third, states: ["sent", "delivered"])
            #expect(thirdDetail.message.providerID == "twilio", "daemon log:\n\(stage.daemonLog().suffix(6000))")
            #expect(thirdDetail.attempts.count == 1)
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(stage.daemonLog())")
        }
        daemon.interrupt()
        await waitForExit(daemon)
        #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\(stage.daemonLog())")
        await cloud?.stop()
    }

    private func send(_ stage: Stage, to number: String, text: String, priority: String = "high") async throws -> Int64 {
        let result = try await LifelineBinary.run([
            "send", "--config", stage.configPath, "--to", number, "--text", text, "--priority", priority, "--json",
        ])
        try #require(result.status == 0, "send failed: \(result.stderr)")
        struct Receipt: Decodable { var id: Int64 }
        return try JSONDecoder().decode(Receipt.self, from: Data(result.stdout.utf8)).id
    }

    /// Re-reads `lifeline messages --id` until the message reaches one of `states`, for at most 40 s.
    private func waitForState(_ stage: Stage, id: Int64, states: Set<String>) async throws -> MessageDetail {
        var last: MessageDetail?
        for _ in 0..<200 {
            let result = try await LifelineBinary.run(["messages", "--config", stage.configPath, "--id", String(id), "--json"])
            try #require(result.status == 0, "messages failed: \(result.stderr)")
            let detail = try JSONDecoder().decode(MessageDetail.self, from: Data(result.stdout.utf8))
            if states.contains(detail.message.state) { return detail }
            last = detail
            try await Task.sleep(for: .milliseconds(200))
        }
        throw WaitFailure(description: "message \(id) never reached \(states); last state \(last?.message.state ?? "none")")
    }

    /// Re-reads `lifeline status --json` until the provider's breaker is in `state` after a
    /// successful probe, for at most 60 s.
    private func waitForBreaker(_ stage: Stage, provider: String, state: String) async throws {
        for _ in 0..<300 {
            let result = try await LifelineBinary.run(["status", "--config", stage.configPath, "--json"])
            try #require(result.status == 0, "status failed: \(result.stderr)")
            let report = try JSONDecoder().decode(StatusReport.self, from: Data(result.stdout.utf8))
            // A probe must have succeeded since the cloud came back: a snapshot from before the
            // first failure also shows "closed".
            let entry = report.providers.first { $0.id == provider }
            if report.daemonRunning, entry?.breaker == state, entry?.health == "healthy" { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw WaitFailure(description: "the \(provider) breaker never became \(state)")
    }

    struct WaitFailure: Error, CustomStringConvertible {
        var description: String
    }
}

extension FailoverPoolTests {
    /// The peers, the temporary directory and the config file of one test.
    final class Stage: Sendable {
        let directory: String
        let configPath: String
        let smsc: PeerProcess
        let modem: ModemSimulator
        let cloudPort: UInt16

        private init(directory: String, configPath: String, smsc: PeerProcess, modem: ModemSimulator, cloudPort: UInt16) {
            self.directory = directory
            self.configPath = configPath
            self.smsc = smsc
            self.modem = modem
            self.cloudPort = cloudPort
        }

        static func start() async throws -> Stage {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-e2e-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let smsc = try await PeerProcess.start(
                script: "smsc_twisted.py",
                arguments: ["--port", "0", "--system-id", "campus", "--password", "e2e-pw", "--lifetime", "170"]
            )
            let modem = ModemSimulator(profile: .healthy)
            let modemPath = try modem.start()
            let cloudPort = try unusedLoopbackPort()
            for (name, secret) in [("twilio.token", FailoverPoolTests.authToken), ("smpp.password", "e2e-pw")] {
                FileManager.default.createFile(
                    atPath: directory + "/" + name,
                    contents: Data(secret.utf8),
                    attributes: [.posixPermissions: 0o600]
                )
            }
            let config = """
                database: \(directory)/lifeline.db
                log_level: debug
                breaker:
                  failure_threshold: 1
                  cooldown: 2s
                providers:
                  - id: twilio
                    type: twilio
                    account_sid: \(FailoverPoolTests.accountSID)
                    auth_token_file: \(directory)/twilio.token
                    from: "+15005550006"
                    base_url: http://127.0.0.1:\(cloudPort)
                    timeout: 3s
                    connect_timeout: 1s
                  - id: carrier
                    type: smpp
                    host: 127.0.0.1
                    port: \(smsc.port)
                    system_id: campus
                    password_file: \(directory)/smpp.password
                    enquire_link: 2s
                    response_timeout: 3s
                  - id: modem-1
                    type: modem
                    device: \(modemPath)

                """
            let configPath = directory + "/lifeline.yaml"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            return Stage(directory: directory, configPath: configPath, smsc: smsc, modem: modem, cloudPort: cloudPort)
        }

        func daemonLog() -> String {
            (try? String(contentsOfFile: directory + "/daemon.log", encoding: .utf8)) ?? "(no log)"
        }

        func cleanUp() {
            modem.stop()
            try? smsc.stdin.fileHandleForWriting.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

/// A loopback port with nothing listening on it, for a server the test starts later.
///
/// The port comes from 20000 to 32767, below Linux's default ephemeral range (32768 to 60999), so
/// a simulator or client that binds port 0 in the meantime cannot be given the same one. Each
/// port is handed out once per test process and checked free by binding it.
func unusedLoopbackPort() throws -> UInt16 {
    for _ in 0..<200 {
        let port = UInt16.random(in: 20000...32767)
        guard LoopbackPortLedger.shared.claim(port), loopbackPortIsFree(port) else { continue }
        return port
    }
    throw FailoverPoolTests.WaitFailure(description: "no free loopback port between 20000 and 32767 after 200 tries")
}

/// The ports `unusedLoopbackPort()` has handed out in this process.
final class LoopbackPortLedger: @unchecked Sendable {
    // @unchecked: `lock` guards `handedOut`.
    static let shared = LoopbackPortLedger()
    private let lock = NSLock()
    private var handedOut: Set<UInt16> = []

    /// Returns whether `port` was not handed out before, and records it.
    func claim(_ port: UInt16) -> Bool {
        lock.withLock { handedOut.insert(port).inserted }
    }
}

/// Returns whether `port` on 127.0.0.1 can be bound now.
private func loopbackPortIsFree(_ port: UInt16) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 }
    }
}
