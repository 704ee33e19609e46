import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct OpenAPIConformanceTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every route's responses, successes and errors alike, conform to docs/openapi.yaml as
    /// openapi-core reads it, and the valid requests do too.
    @Test func responsesConformToSpecification() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let send = APITestServer.sendToken
        let read = APITestServer.readToken

        let message = try await server.send(
            "POST",
            "/v1/messages",
            token: send,
            json: ["to": "+447700900123", "text": "Drill", "idempotency_key": "k"]
        )
        _ = try await server.send(
            "POST",
            "/v1/messages",
            token: send,
            json: ["to": "+447700900123", "text": "Drill", "idempotency_key": "k"]
        )
        let id = try #require(message.json["id"] as? Int)
        _ = try await server.send("GET", "/v1/messages?limit=10", token: read)
        _ = try await server.send("GET", "/v1/messages/\(id)", token: read)
        _ = try await server.send("POST", "/v1/messages/\(id)/cancel", token: send)
        _ = try await server.send("POST", "/v1/messages/\(id)/cancel", token: send)
        _ = try await server.send("GET", "/v1/messages/424242", token: read)
        let broadcast = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: send,
            json: [
                "to": ["+447700900123", "+447700900124"], "text": "Evacuate", "priority": "emergency", "name": "Hall",
            ]
        )
        let broadcastID = try #require(broadcast.json["id"] as? Int)
        _ = try await server.send("GET", "/v1/broadcasts/\(broadcastID)", token: read)
        _ = try await server.send("GET", "/v1/broadcasts", token: read)
        _ = try await server.send("POST", "/v1/broadcasts/\(broadcastID)/cancel", token: send)
        _ = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: send,
            json: ["to": ["+447700900123", "bad"], "text": "x"]
        )
        let progressing = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: send,
            json: ["to": ["+447700900125", "+447700900126"], "text": "Go"]
        )
        let progressingID = try #require(progressing.json["id"] as? Int)
        let next = try #require(try await server.store.claimNext(now: Date(), lease: 60))
        try await server.store.transition(
            next.id,
            Transition(to: .sent, providerID: "twilio-main", providerMessageID: "SM1"),
            now: Date()
        )
        let estimated = try await server.send("GET", "/v1/broadcasts/\(progressingID)", token: read)
        #expect(estimated.json["estimated_seconds_left"] as? Int != nil)
        let admin = APITestServer.adminToken
        let csv = [("Content-Type", "text/csv")]
        let imported = try await server.send(
            "POST",
            "/v1/contacts/import?group=attendees",
            token: admin,
            body: Array(ContactsAPITests.list.utf8),
            headers: csv
        )
        #expect(imported.status == 200)
        _ = try await server.send(
            "POST",
            "/v1/contacts/import?group=attendees",
            token: admin,
            body: Array("number,name\n\"+447700900123,Ada\n".utf8),
            headers: csv
        )
        _ = try await server.send(
            "POST",
            "/v1/contacts/import?group=attendees",
            token: send,
            body: Array("number\n+447700900123\n".utf8),
            headers: csv
        )
        _ = try await server.send(
            "POST",
            "/v1/contacts/import?group=attendees",
            token: admin,
            body: Array("number\n+447700900123\n".utf8),
            headers: [("Content-Type", "application/json")]
        )
        _ = try await server.send("GET", "/v1/providers", token: read)
        _ = try await server.send("GET", "/v1/queue", token: read)
        _ = try await server.send("GET", "/v1/queue")
        _ = try await server.send("GET", "/v1/queue", token: "an-unknown-token-of-some-length")
        _ = try await server.send("POST", "/v1/messages", token: read, json: ["to": "+447700900123", "text": "x"])
        _ = try await server.send("POST", "/v1/messages", token: send, body: Array("{".utf8))
        _ = try await server.send("POST", "/v1/messages", token: send, json: ["to": 5, "text": "x"])
        _ = try await server.send(
            "POST",
            "/v1/messages",
            token: send,
            json: ["to": "+447700900123", "text": "x", "extra": 1]
        )
        _ = try await server.send("GET", "/healthz")
        _ = try await server.send("GET", "/metrics")
        _ = try await server.send("GET", "/")
        _ = try await server.send(
            "POST",
            "/webhooks/twilio",
            body: Array(WebhookTests.body.utf8),
            headers: WebhookTests.form + [("X-Twilio-Signature", WebhookTests.signature)]
        )
        _ = try await server.send(
            "POST",
            "/webhooks/twilio",
            body: Array(WebhookTests.body.utf8),
            headers: WebhookTests.form
        )
        _ = try await server.send(
            "POST",
            "/webhooks/vonage",
            body: Array("messageId=0A01&status=delivered&err-code=0".utf8),
            headers: WebhookTests.form
        )
        _ = try await server.send("GET", "/webhooks/vonage?messageId=0A01&status=failed&err-code=5")
        await server.recorder.setHealthy(false)
        _ = try await server.send("GET", "/healthz")

        let file = server.directory.appendingPathComponent("exchanges.json")
        try server.exchanges.write(to: file)
        let result = try await PythonPeer.run(
            script: Self.packageRoot.appendingPathComponent("Tests/Peers/openapi_check.py").path,
            arguments: [Self.packageRoot.appendingPathComponent("docs/openapi.yaml").path, file.path],
            packageRoot: Self.packageRoot
        )

        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("checked \(server.exchanges.count) exchanges, 0 mismatches"))
    }

    /// The checker catches a response that breaks the specification, so the test above can fail.
    @Test func checkerRejectsNonConformingResponse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-openapi-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let exchanges: [[String: Any]] = [
            [
                "method": "GET", "path": "/v1/queue", "query": "",
                "request_headers": ["authorization": "Bearer x"], "request_body": "",
                "status": 200, "response_headers": ["content-type": "application/json"],
                "response_body": #"{"depth": {"emergency": "many"}, "total": 1}"#,
            ]
        ]
        let file = directory.appendingPathComponent("exchanges.json")
        try JSONSerialization.data(withJSONObject: exchanges).write(to: file)

        let result = try await PythonPeer.run(
            script: Self.packageRoot.appendingPathComponent("Tests/Peers/openapi_check.py").path,
            arguments: [Self.packageRoot.appendingPathComponent("docs/openapi.yaml").path, file.path],
            packageRoot: Self.packageRoot
        )

        #expect(result.status == 1)
        #expect(result.output.contains("1 mismatches"))
    }
}

/// Runs a Python peer with the package's virtual environment and collects its output.
enum PythonPeer {
    struct Result {
        var status: Int32
        var output: String
    }

    static func run(script: String, arguments: [String], packageRoot: URL) async throws -> Result {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent(".venv/bin/python")
        process.arguments = [script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let collected = OutputCollector()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            collected.append(handle.availableData)
        }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                continuation.resume(returning: process.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return Result(status: status, output: collected.text)
    }

    private final class OutputCollector: @unchecked Sendable {
        // @unchecked: `lock` guards `data`.
        private let lock = NSLock()
        private var data = Data()

        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}
