import Foundation
import Simulators
import Store
import Testing

/// Three `lifeline serve` processes, each with its own `node` name, share one queue on a real
/// PostgreSQL server and one SMSC simulator. A 5,000-message broadcast is queued with
/// `lifeline broadcast`, and one daemon is SIGKILLed after the SMSC has seen part of it. The two
/// left take over its claims when their lease runs out: with `max_wait` 1 s and a 3 s SMPP
/// response timeout, the claim lease is 34 s (the wait, the send timeout and 30 s of margin).
/// The killed box's open attempts become ambiguous then. Those whose `submit_sm` reached the SMSC
/// get their receipt, which the SMSC routes to the boxes still bound with the same `system_id`,
/// held past the lease and then adopted, so those messages end `delivered` with one copy. A
/// submit the killed box began but never wrote gets no receipt: its message waits the bulk
/// delivery deadline (60 s) for one, then goes out again through the same link.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SharedQueueTests {
    static let messageCount = 5_000
    static let nodes = ["box-a", "box-b", "box-c"]
    static let smppPassword = "share-pw"

    /// Every message ends delivered with exactly one copy at the SMSC, none fails, and every box
    /// claimed messages.
    @Test func threeDaemonsOneKilled() async throws {
        let server = try await SharedQueueServer.start()
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-shared-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let smsc = SMSCSimulator(
            configuration: SMSCSimulatorConfiguration(
                systemID: "lifeline",
                password: Self.smppPassword,
                receiptDelay: .milliseconds(20),
                responseDelay: .milliseconds(5)
            )
        )
        let port = try await smsc.start()
        let daemons = try Self.nodes.map { node in
            try Self.makeDaemon(node: node, directory: directory, server: server, smscPort: port)
        }
        do {
            try await run(daemons: daemons, smsc: smsc, server: server, directory: directory)
        } catch {
            Issue.record("\(error)\n\(await Self.logs(daemons))")
        }
        for daemon in daemons { await daemon.stop() }
        await smsc.stop()
    }

    private func run(daemons: [ChaosDaemon], smsc: SMSCSimulator, server: SharedQueueServer, directory: String) async throws {
        for daemon in daemons { try await daemon.start() }
        try #require(await smsc.waitForBinds(count: daemons.count, timeout: .seconds(30)), "not every daemon bound")

        let numbers = (0..<Self.messageCount).map { String(format: "+4477009%05d", $0) }
        let file = directory + "/numbers.csv"
        try (["number"] + numbers).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        let queued = try await LifelineBinary.run([
            "broadcast", "--config", daemons[0].configPath, "--to-file", file, "--text", "Shared queue drill",
            "--priority", "bulk", "--json",
        ])
        try #require(queued.status == 0, "broadcast failed (\(queued.status)): \(queued.stderr)")

        let killAfter = Self.messageCount / 4
        try #require(await smsc.waitForSubmits(count: killAfter, timeout: .seconds(60)), "the SMSC never saw \(killAfter) submits")
        let victim = daemons[1]
        await victim.kill()

        let store = try await PostgresStore(url: server.urlWithPassword, node: "audit")
        do {
            let settled = try await drain(store: store, timeout: .seconds(180))
            let audit = try await ChaosAudit.read(
                store: store,
                expected: Self.messageCount,
                copies: await Self.copies(smsc),
                faults: await victim.killTimes
            )
            let claims = try await server.rows("SELECT claimed_by, COUNT(*) FROM sms_queue GROUP BY claimed_by ORDER BY 1")
            let byNode = Dictionary(uniqueKeysWithValues: try claims.map { (($0.optionalText(0) ?? "none"), try $0.int(1)) })
            print("shared queue: \(audit.summary)")
            print("shared queue: claims by node \(byNode.sorted { $0.key < $1.key })")
            for duplicate in audit.duplicates { print("shared queue: duplicate \(duplicate)") }
            let reasons = try await server.rows(
                "SELECT last_reason, COUNT(*) FROM sms_queue WHERE state = 'failed' GROUP BY last_reason ORDER BY 2 DESC"
            )
            for row in reasons { print("shared queue: failed \(row.values[1] ?? "?") × \(row.values[0] ?? "no reason")") }
            let adopted = try await server.rows(
                "SELECT COUNT(*) FROM sms_events WHERE reason LIKE 'receipt matched an attempt%'"
            )
            print("shared queue: receipts adopted for ambiguous attempts: \(adopted.first?.values[0] ?? "?")")

            let waited = try await server.rows(
                "SELECT COUNT(*) FROM sms_attempts WHERE outcome = 'not_received'"
            )
            print("shared queue: attempts taken as never received and sent again: \(waited.first?.values[0] ?? "?")")

            let copies = await Self.copies(smsc)
            #expect(settled, "not every message was delivered within 180 s: \(audit.summary)")
            #expect(audit.rows == Self.messageCount)
            #expect(audit.delivered == Self.messageCount, "\(audit.summary)\n\(audit.unsettledDetails.prefix(10))")
            #expect(copies.count == Self.messageCount, "\(Self.messageCount - copies.count) recipients received nothing")
            #expect(audit.duplicates.isEmpty, "\(audit.duplicates)")
            for node in Self.nodes {
                #expect((byNode[node] ?? 0) > 0, "box \(node) claimed nothing: \(byNode)")
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Re-reads the queue every 500 ms until every message is `delivered`, for at most `timeout`.
    ///
    /// The simulator sends a receipt on the submit's connection, or on another one bound with the
    /// same `system_id`, and sends again one the killed box never answered. A box answers a
    /// receipt only after storing it, so the kill loses none; nothing here sends receipts again.
    private func drain(store: PostgresStore, timeout: Duration) async throws -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let messages = try await store.messages(limit: 1_000_000)
            if messages.count >= Self.messageCount, messages.allSatisfy({ $0.state == .delivered }) { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    /// Writes the config of one box and returns its daemon, which logs into its own directory.
    /// The password is read from a file, as a box would read it.
    private static func makeDaemon(node: String, directory: String, server: SharedQueueServer, smscPort: UInt16) throws -> ChaosDaemon {
        let boxDirectory = directory + "/" + node
        try FileManager.default.createDirectory(atPath: boxDirectory, withIntermediateDirectories: true)
        for (name, secret) in [("database.password", server.password), ("smpp.password", smppPassword)] {
            FileManager.default.createFile(
                atPath: boxDirectory + "/" + name,
                contents: Data(secret.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        }
        let config = """
            database: \(server.url)
            database_password_file: database.password
            node: \(node)
            log_level: info
            queue:
              lease: 5s
              max_attempts: 5
              max_wait: {emergency: 1s, high: 1s, normal: 1s, bulk: 1s}
              delivery_deadline: {emergency: 60s, high: 60s, normal: 60s, bulk: 60s}
            breaker:
              failure_threshold: 3
              cooldown: 2s
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(smscPort)
                system_id: lifeline
                password_file: smpp.password
                enquire_link: 2s
                response_timeout: 3s

            """
        let configPath = boxDirectory + "/lifeline.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        return ChaosDaemon(configPath: configPath, directory: boxDirectory)
    }

    /// Copies per recipient (digits only) that the SMSC received.
    private static func copies(_ smsc: SMSCSimulator) async -> [String: Int] {
        var copies: [String: Int] = [:]
        for submit in await smsc.receivedSubmits {
            copies[ChaosAudit.digits(submit.submitSM.destinationAddress), default: 0] += 1
        }
        return copies
    }

    private static func logs(_ daemons: [ChaosDaemon]) async -> String {
        var text = ""
        for (node, daemon) in zip(nodes, daemons) {
            text += "=== \(node) ===\n" + String(await daemon.logs().suffix(8_000)) + "\n"
        }
        return text
    }
}
