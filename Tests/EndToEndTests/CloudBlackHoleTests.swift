import Foundation
import Testing

/// The daemon binary with a cloud provider whose endpoint accepts TCP connections and never
/// responds (a black hole), in front of an SMPP link to smpp.twisted3's SMSC.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CloudBlackHoleTests {
    struct Attempt: Decodable {
        var providerID: String
        var outcome: String?
        var detail: String?
    }

    struct Message: Decodable {
        var state: String
        var providerID: String?
    }

    struct Detail: Decodable {
        var message: Message
        var attempts: [Attempt]
    }

    struct Status: Decodable {
        struct Provider: Decodable {
            var id: String
            var breaker: String
        }

        var daemonRunning: Bool
        var providers: [Provider]
    }

    /// The breaker opens after this many timeouts in a row.
    static let failureThreshold = 2

    /// Each of the first messages waits once for the configured timeout, then goes out over the
    /// SMPP link. Once the breaker opens, later messages skip the black hole.
    @Test func blackHoleCostsOneTimeoutPerMessageUntilTheBreakerOpens() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-blackhole-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let smsc = try await PeerProcess.start(
            script: "smsc_twisted.py",
            arguments: ["--port", "0", "--system-id", "campus", "--password", "bh-pw", "--lifetime", "170"]
        )
        let blackHolePort = try unusedLoopbackPort()
        let blackHole = try ChaosBlackHole(port: blackHolePort)
        let configPath = try Self.writeConfig(directory: directory, blackHolePort: blackHolePort, smscPort: smsc.port)

        // Queued before the daemon starts, so they are dispatched before its first health probe.
        var slow: [Int64] = []
        for index in 0..<Self.failureThreshold {
            slow.append(try await Self.send(configPath, text: "Hall B closed (\(index))"))
        }
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: directory + "/daemon.log")
        let log = { (try? String(contentsOfFile: directory + "/daemon.log", encoding: .utf8)) ?? "(no log)" }
        do {
            for id in slow {
                let detail = try await Self.waitForSent(configPath, id: id)
                #expect(detail.message.providerID == "carrier")
                #expect(detail.attempts.map(\.providerID) == ["cloud", "carrier"], "message \(id)")
                let cloud = detail.attempts.first
                #expect(cloud?.outcome == "ambiguous", "message \(id): \(String(describing: cloud))")
                #expect(cloud?.detail?.contains("timeoutAfterSend") == true, "\(cloud?.detail ?? "no detail")")
            }
            #expect(blackHole.connectionCount == Self.failureThreshold)
            #expect(try await Self.breaker(configPath, provider: "cloud") == "open")

            for index in 0..<3 {
                let id = try await Self.send(configPath, text: "Use gate C (\(index))")
                let detail = try await Self.waitForSent(configPath, id: id)
                #expect(detail.attempts.map(\.providerID) == ["carrier"], "message \(id)")
            }
            #expect(blackHole.connectionCount == Self.failureThreshold, "the open breaker keeps every later send away")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(log().suffix(6000))")
        }

        daemon.interrupt()
        await waitForExit(daemon)
        blackHole.close()
        await smsc.stop()
        #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\(log().suffix(4000))")
    }

    private static func writeConfig(directory: String, blackHolePort: UInt16, smscPort: UInt16) throws -> String {
        for (name, secret) in [("cloud.token", "bh-auth-token"), ("smpp.password", "bh-pw")] {
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
              failure_threshold: \(failureThreshold)
              cooldown: 1h
            providers:
              - id: cloud
                type: twilio
                account_sid: AC0123456789abcdef0123456789abcdef
                auth_token_file: \(directory)/cloud.token
                from: "+15005550006"
                base_url: http://127.0.0.1:\(blackHolePort)
                timeout: 1s
                connect_timeout: 500ms
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(smscPort)
                system_id: campus
                password_file: \(directory)/smpp.password
                enquire_link: 2s
                response_timeout: 3s

            """
        let path = directory + "/lifeline.yaml"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func send(_ configPath: String, text: String) async throws -> Int64 {
        let result = try await LifelineBinary.run([
            "send", "--config", configPath, "--to", "+447700900123", "--text", text, "--priority", "high", "--json",
        ])
        try #require(result.status == 0, "send failed: \(result.stderr)")
        struct Receipt: Decodable { var id: Int64 }
        return try JSONDecoder().decode(Receipt.self, from: Data(result.stdout.utf8)).id
    }

    /// Re-reads the message until the SMSC took it (sent or delivered), for at most 40 s.
    private static func waitForSent(_ configPath: String, id: Int64) async throws -> Detail {
        var last = "none"
        for _ in 0..<200 {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--id", String(id), "--json"])
            try #require(result.status == 0, "messages failed: \(result.stderr)")
            let detail = try JSONDecoder().decode(Detail.self, from: Data(result.stdout.utf8))
            if ["sent", "delivered"].contains(detail.message.state) { return detail }
            last = detail.message.state
            try await Task.sleep(for: .milliseconds(200))
        }
        throw FailoverPoolTests.WaitFailure(description: "message \(id) was never sent; last state \(last)")
    }

    /// Returns the provider's breaker from the running daemon's snapshot, waiting at most 20 s for
    /// one that shows it other than closed.
    private static func breaker(_ configPath: String, provider: String) async throws -> String {
        for _ in 0..<100 {
            let result = try await LifelineBinary.run(["status", "--config", configPath, "--json"])
            try #require(result.status == 0, "status failed: \(result.stderr)")
            let status = try JSONDecoder().decode(Status.self, from: Data(result.stdout.utf8))
            if status.daemonRunning, let entry = status.providers.first(where: { $0.id == provider }), entry.breaker != "closed" {
                return entry.breaker
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return "closed"
    }
}
