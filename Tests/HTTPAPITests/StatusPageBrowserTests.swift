import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct StatusPageBrowserTests {
    static let chromium = "/usr/bin/chromium"

    /// In headless chromium the page logs in through its token form and renders providers and queue.
    /// Its form sends a broadcast whose counts move when a message is sent. It requests nothing
    /// from any host but the server.
    @Test(.timeLimit(.minutes(2)))
    func pageRendersLiveStateInBrowser() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.chromium),
            "the browser test needs Debian's chromium: run deploy/bootstrap.sh"
        )
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let origin = "http://127.0.0.1:\(server.port)"
        // Plays the provider: once the page shows its queued broadcast, one message is sent.
        let signal = server.directory.appendingPathComponent("queued-shown")
        let mover = Task { try await Self.sendOneMessage(after: signal, store: server.store) }

        let result = try await PythonPeer.run(
            script: OpenAPIConformanceTests.packageRoot.appendingPathComponent("Tests/Peers/status_page_browser.py").path,
            arguments: [Self.chromium, origin + "/", APITestServer.adminToken, signal.path],
            packageRoot: OpenAPIConformanceTests.packageRoot
        )
        mover.cancel()

        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            "\(result.output)"
        )
        #expect(result.status == 0, "\(report["error"] ?? result.output)")
        #expect(report["token_dialog_shown"] as? Bool == true)
        #expect((report["connection"] as? String)?.hasPrefix("live") == true)

        let providers = try #require(report["providers"] as? [[String]])
        #expect(providers.count == 2)
        #expect(providers.first?.prefix(2) == ["twilio-main (twilio)", "healthy"])
        #expect(providers.first?.last == "1 / 4")
        #expect(providers.last?.first == "modem-1")
        #expect(providers.last?[1] == "unhealthy: not registered")
        #expect(providers.last?[2].hasPrefix("open until") == true)

        let before = try #require(report["queue_before"] as? [[String]])
        let after = try #require(report["queue_after"] as? [[String]])
        #expect(before.first == ["emergency", "0"])
        #expect(before.last == ["total", "0"])
        #expect(after.first == ["emergency", "2"])
        #expect(after.last == ["total", "2"])

        let sendResult = try #require(report["send_result"] as? String)
        #expect(sendResult.hasPrefix("Queued broadcast"))
        #expect(sendResult.hasSuffix("to 2 numbers."))
        let queuedRow = try #require((report["broadcasts_queued"] as? [[String]])?.first)
        #expect(queuedRow[3] == "queued 2 of 2")
        let movedRow = try #require((report["broadcasts_moved"] as? [[String]])?.first)
        #expect(movedRow[3].contains("sent 1"))
        #expect(movedRow[3].hasSuffix("of 2"))
        #expect(queuedRow[2].isEmpty)
        #expect(movedRow[2].hasPrefix("about "))
        #expect(movedRow[2].hasSuffix(" left"))

        let requests = try #require(report["requests"] as? [String])
        #expect(requests.contains(origin + "/v1/events"))
        #expect(requests.contains(origin + "/v1/broadcasts"))
        #expect(requests.allSatisfy { $0.hasPrefix(origin + "/") }, "\(requests)")
        #expect((report["blocked_by_policy"] as? [Any])?.isEmpty == true, "\(report["blocked_by_policy"] ?? "")")
        #expect((report["exceptions"] as? [Any])?.isEmpty == true, "\(report["exceptions"] ?? "")")

        let stored = try await server.store.messages(limit: 10)
        #expect(stored.count == 2)
        #expect(stored.allSatisfy { $0.priority == .emergency })
        #expect(stored.allSatisfy { $0.text == "Evacuate hall B by the east doors" })
    }

    /// Waits (at most 60 s) for the browser script to create `signal`, then claims one queued
    /// message and marks it sent as a provider's acceptance would.
    static func sendOneMessage(after signal: URL, store: SQLiteStore) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: signal.path) {
            guard ContinuousClock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let message = try await store.claimNext(now: Date(), lease: 60) else { return }
        try await store.transition(
            message.id,
            Transition(to: .sent, providerID: "twilio-main", providerMessageID: "SM-browser-test"),
            now: Date()
        )
    }
}
