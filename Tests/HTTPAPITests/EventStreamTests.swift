import Foundation
import Testing

@testable import HTTPAPI

@Suite struct EventStreamTests {
    /// A client of /v1/events receives snapshot events with providers, queue and broadcasts.
    @Test func streamSendsSnapshots() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        _ = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: APITestServer.sendToken,
            json: ["to": ["+447700900123"], "text": "Drill"]
        )

        let response = try await RawHTTPClient.send(
            port: server.port,
            method: "GET",
            path: "/v1/events",
            headers: [("Authorization", "Bearer \(APITestServer.readToken)")],
            stopAfter: "\n\n"
        )

        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/event-stream")
        let lines = response.text.split(separator: "\n")
        #expect(lines.first == "event: snapshot")
        let data = try #require(lines.first { $0.hasPrefix("data: ") }?.dropFirst(6))
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        #expect((snapshot["providers"] as? [Any])?.count == 2)
        #expect((snapshot["broadcasts"] as? [[String: Any]])?.first?["total"] as? Int == 1)
        #expect((snapshot["queue"] as? [String: Any])?["total"] as? Int == 1)
    }

    /// Beyond the stream limit a client gets 503; a slot frees when a client leaves.
    @Test func streamCountIsBounded() async throws {
        let server = try await APITestServer.start(maxEventStreams: 1)
        defer { Task { await server.shutdown() } }
        let hub = server.server.eventHubForTesting

        let stream = try #require(await hub.open())
        let refused = try await server.send("GET", "/v1/events", token: APITestServer.readToken)
        stream.finish()
        let freed = await eventually { await hub.count == 0 }

        #expect(refused.status == 503)
        #expect(refused.errorCode == "too_many_streams")
        #expect(freed)
    }

    /// Stopping the server ends open streams and returns.
    @Test func stopEndsStreams() async throws {
        let server = try await APITestServer.start()
        let client = Task {
            try await RawHTTPClient.send(
                port: server.port,
                method: "GET",
                path: "/v1/events",
                headers: [("Authorization", "Bearer \(APITestServer.readToken)")]
            )
        }
        let opened = await eventually { await server.server.eventHubForTesting.count == 1 }

        await server.shutdown()
        let response = try await client.value

        #expect(opened)
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/event-stream")
    }
}
