import Config
import Diagnostics
import Foundation
import Gateway
import Simulators
import Store

/// The outcome of one demo message.
struct DemoResult {
    var messageID: MessageID
    var passed: Bool
}

/// The simulated peers, temporary files and config of `lifeline demo`.
final class DemoStage: Sendable {
    let smsc: SMSCSimulator
    let modem: ModemSimulator
    let smscPort: UInt16
    let modemPath: String
    let cloudURL: String
    let directory: URL
    let config: LifelineConfig
    let store: any QueueDatabase

    var databasePath: String { config.database }

    private init(
        smsc: SMSCSimulator,
        modem: ModemSimulator,
        smscPort: UInt16,
        modemPath: String,
        cloudURL: String,
        directory: URL,
        config: LifelineConfig,
        store: any QueueDatabase
    ) {
        self.smsc = smsc
        self.modem = modem
        self.smscPort = smscPort
        self.modemPath = modemPath
        self.cloudURL = cloudURL
        self.directory = directory
        self.config = config
        self.store = store
    }

    /// Starts the simulators and writes the config; the daemon is started by the caller.
    static func start(logger: Logger) async throws -> DemoStage {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let smsc = SMSCSimulator(
            configuration: SMSCSimulatorConfiguration(systemID: "campus", password: "demo-pw", receiptDelay: .milliseconds(300)),
            logger: logger.child(label: "smsc-simulator")
        )
        let smscPort = try await smsc.start()
        let modem = ModemSimulator(profile: .healthy, logger: logger.child(label: "modem-simulator"))
        let modemPath = try modem.start()
        let cloudPort = try ClosedLoopbackPort.reserve()
        let cloudURL = "http://127.0.0.1:\(cloudPort)"

        let configPath = directory.appendingPathComponent("lifeline.yaml").path
        try demoConfigYAML(directory: directory.path, cloudURL: cloudURL, smscPort: smscPort, modemPath: modemPath)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        for (name, secret) in [("twilio.token", "demo-token"), ("smpp.password", "demo-pw")] {
            let path = directory.appendingPathComponent(name).path
            FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        }
        let config = try LifelineConfig.load(path: configPath, environment: [:]).config
        let store = try await openQueueDatabase(config: config)
        return DemoStage(
            smsc: smsc,
            modem: modem,
            smscPort: smscPort,
            modemPath: modemPath,
            cloudURL: cloudURL,
            directory: directory,
            config: config,
            store: store
        )
    }

    /// The demo's config: the failover order, a fast breaker so the demo does not wait long.
    static func demoConfigYAML(directory: String, cloudURL: String, smscPort: UInt16, modemPath: String) -> String {
        """
        database: \(directory)/lifeline.db
        log_level: warning
        breaker:
          failure_threshold: 2
          cooldown: 30s
        providers:
          - id: twilio
            type: twilio
            account_sid: AC00000000000000000000000000000000
            auth_token_file: \(directory)/twilio.token
            from: "+15550100"
            base_url: \(cloudURL)
            timeout: 3s
            connect_timeout: 1s
          - id: carrier
            type: smpp
            host: 127.0.0.1
            port: \(smscPort)
            system_id: campus
            password_file: \(directory)/smpp.password
            enquire_link: 2s
            response_timeout: 3s
          - id: modem-1
            type: modem
            device: \(modemPath)
            baud: 115200

        """
    }

    /// Queues a message as `lifeline send` does, follows it to a final state, and prints its path.
    func sendAndFollow(
        to recipient: String,
        text: String,
        priority: Priority,
        expectedProvider: String,
        timeout: Duration
    ) async -> DemoResult {
        do {
            let checked = try Intake(config: config).check(recipient: recipient, text: text, priority: priority)
            let id = try await store.enqueue([checked.submission], now: Date())[0]
            print("  queued message \(id) (\(priority.rawValue)) to \(recipient): \"\(text)\"")
            let final = try await waitForFinalState(id, timeout: timeout)
            let attempts = try await store.attempts(for: id)
            print("  path: " + DemoStage.describePath(attempts: attempts, final: final))
            let passed = final.state == .delivered && final.providerID == expectedProvider
            print(passed ? "  ok: delivered through \(expectedProvider)" : "  FAILED: expected delivery through \(expectedProvider)")
            return DemoResult(messageID: id, passed: passed)
        } catch {
            print("  FAILED: \(error)")
            return DemoResult(messageID: 0, passed: false)
        }
    }

    /// Makes the SMSC refuse new connections and drops the bound one.
    func takeSMSCDown() async {
        await smsc.refuseConnections()
        await smsc.dropConnections()
    }

    func stop() async {
        await store.close()
        await smsc.stop()
        modem.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Re-reads the message until it is delivered or final, or the timeout passes.
    private func waitForFinalState(_ id: MessageID, timeout: Duration) async throws -> MessageRecord {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let message = try await store.message(id) else { throw StoreError.messageNotFound(id) }
            if message.state.isFinal || ContinuousClock.now >= deadline { return message }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func describePath(attempts: [AttemptRecord], final: MessageRecord) -> String {
        var steps = attempts.map { attempt in
            let outcome = attempt.outcome?.rawValue ?? "in flight"
            let detail = attempt.outcome == .accepted ? "id \(attempt.providerMessageID ?? "?")" : (attempt.detail ?? "")
            return "\(attempt.providerID) \(outcome)" + (detail.isEmpty ? "" : " (\(detail))")
        }
        steps.append(final.state.rawValue + (final.providerID.map { " via \($0)" } ?? ""))
        return steps.joined(separator: " -> ")
    }
}
