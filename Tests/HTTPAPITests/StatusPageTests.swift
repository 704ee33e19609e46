import Foundation
import Testing

@testable import HTTPAPI

@Suite struct StatusPageTests {
    /// The page is served without a token, as HTML with its script inline and nothing loaded from elsewhere.
    @Test func pageIsSelfContained() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send("GET", "/")

        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/html; charset=utf-8")
        #expect(response.headers["content-security-policy"]?.contains("connect-src 'self'") == true)
        let page = response.text
        #expect(page.contains("<script>"))
        #expect(page.contains("/v1/events"))
        #expect(page.contains("/v1/broadcasts"))
        #expect(page.contains("sessionStorage"))
        #expect(!page.contains("http://"))
        #expect(!page.contains("https://"))
        #expect(!page.contains("src="))
    }

    /// The page's script parses as JavaScript, checked with Node when the machine has it.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node")))
    func scriptParses() async throws {
        let page = StatusPage.html
        let start = try #require(page.range(of: "<script>"))
        let end = try #require(page.range(of: "</script>"))
        let script = String(page[start.upperBound..<end.lowerBound])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-page-\(UUID().uuidString).js"
        )
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/node")
        process.arguments = ["--check", file.path]
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }

        #expect(status == 0)
    }
}
