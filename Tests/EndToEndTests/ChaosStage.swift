import Foundation
import Simulators
import Store
import Synchronization

/// The temporary directory, the in-process SMSC simulator, the config file and the daemon of one
/// fault-injection run. `cleanUp()` stops everything and removes the directory.
///
/// `restartSMSC(outage:)` replaces the simulator with a fresh one on the same port. `smsc` is the
/// current one, and the copy counts include every simulator so far.
final class ChaosStage: Sendable {
    /// A provider of the pool, in failover order.
    enum PoolMember: Sendable {
        /// Twilio's API at a loopback port.
        case cloud(port: UInt16)
        /// The stage's SMSC simulator at its port, with a rate limit when `perSecond` is set. The
        /// host is another address only when a relay in front of the simulator listens there.
        case carrier(port: UInt16, perSecond: Double? = nil, host: String = "127.0.0.1")
        /// A modem simulator at a pseudo terminal path, with a rate limit when `perSecond` is set.
        case modem(path: String, perSecond: Double? = nil)
    }

    static let smppSystemID = "lifeline"
    static let smppPassword = "chaos-pw"
    static let accountSID = "AC0123456789abcdef0123456789abcdef"

    let directory: String
    let configPath: String
    let databasePath: String
    let daemon: ChaosDaemon
    private let smscConfiguration: SMSCSimulatorConfiguration
    /// Every SMSC simulator of the run, the current one last.
    private let smscs: Mutex<[SMSCSimulator]>

    private init(
        directory: String,
        databaseDirectory: String,
        smscConfiguration: SMSCSimulatorConfiguration,
        network: ChaosNetwork?
    ) {
        self.directory = directory
        configPath = directory + "/lifeline.yaml"
        databasePath = databaseDirectory + "/lifeline.db"
        self.smscConfiguration = smscConfiguration
        smscs = Mutex([SMSCSimulator(configuration: smscConfiguration)])
        daemon = ChaosDaemon(configPath: configPath, directory: directory, network: network)
    }

    /// The SMSC simulator listening now.
    var smsc: SMSCSimulator {
        smscs.withLock { $0[$0.count - 1] }
    }

    /// Creates the directory, starts the SMSC simulator and writes the config for `pool`, which
    /// is given the simulator's port. The database goes in `databaseDirectory`, or in the stage's
    /// directory. With a `network`, the daemon runs inside its namespace.
    static func start(
        smscResponseDelay: Duration,
        databaseDirectory: String? = nil,
        network: ChaosNetwork? = nil,
        pool: (UInt16) throws -> [PoolMember]
    ) async throws -> ChaosStage {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-chaos-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = SMSCSimulatorConfiguration(
            systemID: smppSystemID,
            password: smppPassword,
            receiptDelay: .milliseconds(20),
            responseDelay: smscResponseDelay
        )
        let stage = ChaosStage(
            directory: directory,
            databaseDirectory: databaseDirectory ?? directory,
            smscConfiguration: configuration,
            network: network
        )
        let smsc = stage.smsc
        do {
            let port = try await smsc.start()
            for (name, secret) in [("smpp.password", smppPassword), ("twilio.token", "chaos-twilio-token")] {
                FileManager.default.createFile(
                    atPath: directory + "/" + name,
                    contents: Data(secret.utf8),
                    attributes: [.posixPermissions: 0o600]
                )
            }
            try stage.config(pool: pool(port)).write(toFile: stage.configPath, atomically: true, encoding: .utf8)
        } catch {
            await stage.cleanUp()
            throw error
        }
        return stage
    }

    /// Renders the config, with short leases and deadlines so that recovery happens within a test.
    private func config(pool: [PoolMember]) -> String {
        var text = """
            database: \(databasePath)
            log_level: debug
            queue:
              lease: 5s
              max_attempts: 5
              delivery_deadline: {emergency: 10s, high: 10s, normal: 10s, bulk: 10s}
            breaker:
              failure_threshold: 1
              cooldown: 2s
            providers:

            """
        for member in pool {
            switch member {
            case .cloud(let port):
                text += """
                      - id: twilio
                        type: twilio
                        account_sid: \(Self.accountSID)
                        auth_token_file: \(directory)/twilio.token
                        from: "+15005550006"
                        base_url: http://127.0.0.1:\(port)
                        timeout: 2s
                        connect_timeout: 1s

                    """
            case .carrier(let port, let perSecond, let host):
                text += """
                      - id: carrier
                        type: smpp
                        host: \(host)
                        port: \(port)
                        system_id: \(Self.smppSystemID)
                        password_file: \(directory)/smpp.password
                        enquire_link: 2s
                        response_timeout: 3s

                    """
                if let perSecond {
                    text += "    rate: {per_second: \(perSecond), burst: 1}\n"
                }
            case .modem(let path, let perSecond):
                text += """
                      - id: modem-1
                        type: modem
                        device: \(path)

                    """
                if let perSecond {
                    text += "    rate: {per_second: \(perSecond), burst: 1}\n"
                }
            }
        }
        return text
    }

    /// Writes a CSV of `count` distinct numbers starting at `first` and returns its path and the numbers.
    func writeNumbers(name: String, first: Int, count: Int) throws -> (path: String, numbers: [String]) {
        let numbers = (first..<(first + count)).map { String(format: "+4477009%05d", $0) }
        let path = directory + "/" + name
        try (["number"] + numbers).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, numbers)
    }

    /// Queues a broadcast with the CLI and returns its id.
    func broadcast(file: String, text: String, priority: String) async throws -> Int64 {
        let result = try await LifelineBinary.run([
            "broadcast", "--config", configPath, "--to-file", file, "--text", text, "--priority", priority, "--json",
        ])
        guard result.status == 0 else {
            throw FailoverPoolTests.WaitFailure(description: "broadcast failed (\(result.status)): \(result.stderr)")
        }
        struct Receipt: Decodable { var broadcastID: Int64 }
        return try JSONDecoder().decode(Receipt.self, from: Data(result.stdout.utf8)).broadcastID
    }

    /// Queues one message with the CLI and returns its id.
    func send(to number: String, priority: String) async throws -> MessageID {
        let result = try await LifelineBinary.run([
            "send", "--config", configPath, "--to", number, "--text", "Chaos single", "--priority", priority, "--json",
        ])
        guard result.status == 0 else {
            throw FailoverPoolTests.WaitFailure(description: "send failed (\(result.status)): \(result.stderr)")
        }
        struct Receipt: Decodable { var id: Int64 }
        return try JSONDecoder().decode(Receipt.self, from: Data(result.stdout.utf8)).id
    }

    /// Re-reads the message every 200 ms until its state is one of `states`, for at most
    /// `timeout`, and returns the last state read.
    func waitForState(_ id: MessageID, in states: Set<MessageState>, timeout: Duration) async throws -> MessageState {
        let store = try await SQLiteStore(path: databasePath, notifiesWakeListener: false)
        let start = ContinuousClock.now
        var state = MessageState.queued
        while ContinuousClock.now - start < timeout {
            state = try await store.message(id)?.state ?? state
            if states.contains(state) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        await store.close()
        return state
    }

    /// Copies per recipient (digits only) that the SMSC simulators received.
    func smscCopies() async -> [String: Int] {
        var copies: [String: Int] = [:]
        for smsc in smscs.withLock({ $0 }) {
            for submit in await smsc.receivedSubmits {
                copies[ChaosAudit.digits(submit.submitSM.destinationAddress), default: 0] += 1
            }
        }
        return copies
    }

    /// Submits the SMSC simulators received so far.
    func smscSubmitCount() async -> Int {
        var count = 0
        for smsc in smscs.withLock({ $0 }) { count += await smsc.receivedSubmits.count }
        return count
    }

    /// Kills the SMSC simulator and starts a fresh one on the same port after `outage`.
    ///
    /// The old one's connections are closed without flushing, as a killed process's are, and the
    /// receipts it still owed are never sent. Connections during the outage are rejected. Each new one
    /// numbers its messages from a million past the previous one's start, so ids are not reused,
    /// as with an SMSC that keeps its counter on disk.
    func restartSMSC(outage: Duration) async throws {
        let old = smsc
        guard let port = await old.port else { return }
        await old.dropConnections()
        await old.stop()
        try await Task.sleep(for: outage)
        var configuration = smscConfiguration
        configuration.firstMessageID = smscs.withLock { $0.count } * 1_000_000 + 1
        let fresh = SMSCSimulator(configuration: configuration)
        try await fresh.start(port: port)
        smscs.withLock { $0.append(fresh) }
    }

    /// How a drain ended.
    struct DrainResult: Sendable {
        var settled: Bool
        var elapsed: Duration
        var receiptsResent: Int
    }

    /// Re-reads the store every 500 ms, for at most `timeout`, until all `expected` messages are
    /// final. Messages accepted by a provider other than the carrier and waiting for a report
    /// longer than `reportGrace` count as settled. With `clockStep`, the daemon's timestamps are
    /// mapped to the test's clock first.
    ///
    /// The simulator keeps receipts for an ESME that is not bound and sends them after the next
    /// bind, as a real SMSC does, but a receipt the daemon acknowledged and then lost to a kill is
    /// not sent again. So for a message the carrier accepted that is still `sent` after
    /// `reportGrace`, the receipt is sent again (at most once per `reportGrace`).
    func drain(
        expected: Int,
        timeout: Duration,
        reportGrace: TimeInterval = 3,
        clockStep: ChaosClock.Step? = nil
    ) async throws -> DrainResult {
        let store = try await SQLiteStore(path: databasePath, notifiesWakeListener: false)
        let start = ContinuousClock.now
        var resentAt: [MessageID: Date] = [:]
        var resent = 0
        var settled = false
        while ContinuousClock.now - start < timeout {
            let messages = try await store.messages(limit: 1_000_000)
            let now = Date()
            var open = 0
            for message in messages where !message.state.isFinal {
                let updatedAt = clockStep?.realTime(message.updatedAt) ?? message.updatedAt
                let waitedLong = now.timeIntervalSince(updatedAt) > reportGrace
                guard message.state == .sent, waitedLong else {
                    open += 1
                    continue
                }
                guard message.providerID == "carrier", let providerMessageID = message.providerMessageID else { continue }
                open += 1
                if now.timeIntervalSince(resentAt[message.id] ?? .distantPast) > reportGrace {
                    resentAt[message.id] = now
                    resent += 1
                    await smsc.sendReceipt(messageID: providerMessageID, state: .delivered)
                }
            }
            if messages.count >= expected, open == 0 {
                settled = true
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        await store.close()
        return DrainResult(settled: settled, elapsed: ContinuousClock.now - start, receiptsResent: resent)
    }

    /// Stops the daemon and the simulator and removes the directory, unless `LIFELINE_CHAOS_KEEP`
    /// is set (then the directory, with the database and the daemon's logs, is left for reading).
    func cleanUp() async {
        await daemon.stop()
        for smsc in smscs.withLock({ $0 }) { await smsc.stop() }
        if ProcessInfo.processInfo.environment["LIFELINE_CHAOS_KEEP"] != nil {
            print("chaos: kept \(directory)")
            return
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
