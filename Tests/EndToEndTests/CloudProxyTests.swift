import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The daemon binary with a Twilio provider that must go through a proxy: the Twilio fake
/// behind Tests/Peers/counting_proxy.py, which requires credentials and records what it forwards.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CloudProxyTests {
    struct ProxyRecord: Decodable {
        var method: String
        var target: String
        var auth: String
        var forwarded: Bool
    }

    struct Detail: Decodable {
        struct Message: Decodable {
            var state: String
            var providerID: String?
        }

        var message: Message
    }

    static let accountSID = "AC0123456789abcdef0123456789abcdef"

    /// A message sent with the provider's `proxy`, `proxy_username` and `proxy_password_file`
    /// reaches the Twilio fake through the proxy, which saw the right credentials. A `no_proxy`
    /// variable in the daemon's environment that names the fake's host changes nothing.
    @Test func providerSendsThroughItsProxy() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-proxy-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cloud = try await PeerProcess.start(
            script: "cloud_fake.py",
            arguments: ["--port", "0", "--lifetime", "110", "--account-sid", Self.accountSID, "--auth-token", "proxy-e2e-token"]
        )
        let proxy = try await PeerProcess.start(
            script: "counting_proxy.py",
            arguments: ["--lifetime", "110", "--user", "gateway", "--password", "proxy-e2e-password"]
        )
        for (name, secret) in [("twilio.token", "proxy-e2e-token"), ("proxy.password", "proxy-e2e-password")] {
            FileManager.default.createFile(
                atPath: directory + "/" + name,
                contents: Data(secret.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        }
        let configPath = directory + "/lifeline.yaml"
        try """
            database: \(directory)/lifeline.db
            log_level: debug
            providers:
              - id: twilio
                type: twilio
                account_sid: \(Self.accountSID)
                auth_token_file: \(directory)/twilio.token
                from: "+15005550006"
                base_url: http://127.0.0.1:\(cloud.port)
                proxy: http://127.0.0.1:\(proxy.port)
                proxy_username: gateway
                proxy_password_file: \(directory)/proxy.password

            """.write(toFile: configPath, atomically: true, encoding: .utf8)

        let daemon = try LifelineBinary.startDaemon(
            configPath: configPath,
            logPath: directory + "/daemon.log",
            environment: ["no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"]
        )
        let log = { (try? String(contentsOfFile: directory + "/daemon.log", encoding: .utf8)) ?? "(no log)" }
        do {
            let sent = try await LifelineBinary.run([
                "send", "--config", configPath, "--to", "+447700900123", "--text", "Through the proxy", "--json",
            ])
            try #require(sent.status == 0, "send failed: \(sent.stderr)")
            struct Receipt: Decodable { var id: Int64 }
            let id = try JSONDecoder().decode(Receipt.self, from: Data(sent.stdout.utf8)).id
            let detail = try await Self.waitForSent(configPath, id: id)
            #expect(detail.message.providerID == "twilio")

            let posts = try await Self.proxyRecords(port: proxy.port).filter { $0.method == "POST" }
            #expect(posts.count == 1, "\(posts.map(\.target))")
            #expect(posts.first?.forwarded == true)
            #expect(posts.first?.auth == "ok")
            #expect(posts.first?.target.hasPrefix("http://127.0.0.1:\(cloud.port)/2010-04-01/Accounts/") == true)
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(log().suffix(6000))")
        }

        daemon.interrupt()
        await waitForExit(daemon)
        await proxy.stop()
        await cloud.stop()
        #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\(log().suffix(4000))")
        #expect(!log().contains("proxy-e2e-password"), "the proxy password stays out of the log")
    }

    private static func proxyRecords(port: UInt16) async throws -> [ProxyRecord] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/_proxy/requests")!)
        return try JSONDecoder().decode([ProxyRecord].self, from: data)
    }

    /// Re-reads the message until the provider took it, for at most 40 s.
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
}
