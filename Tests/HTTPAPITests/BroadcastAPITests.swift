import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct BroadcastAPITests {
    /// A broadcast queues one message per number, returns 201 with counts, and can be read and cancelled.
    @Test func createReadAndCancel() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let created = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: APITestServer.sendToken,
            json: [
                "to": ["+447700900123", "07700 900124", "+447700900125"], "text": "Evacuate hall B",
                "priority": "emergency", "name": "Hall B",
            ]
        )
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? Int)
        #expect(created.json["total"] as? Int == 3)
        #expect((created.json["counts"] as? [String: Int])?["queued"] == 3)
        #expect((created.json["message_ids"] as? [Int])?.count == 3)

        let read = try await server.send("GET", "/v1/broadcasts/\(id)", token: APITestServer.readToken)
        #expect(read.status == 200)
        #expect(read.json["name"] as? String == "Hall B")

        let cancelled = try await server.send("POST", "/v1/broadcasts/\(id)/cancel", token: APITestServer.sendToken)
        #expect(cancelled.status == 200)
        #expect(cancelled.json["cancelled"] as? Int == 3)
        #expect((cancelled.json["counts"] as? [String: Int])?["cancelled"] == 3)

        let list = try await server.send("GET", "/v1/broadcasts", token: APITestServer.readToken)
        #expect((list.json["broadcasts"] as? [[String: Any]])?.count == 1)
    }

    /// One bad number rejects the whole broadcast, listing every bad entry; nothing is queued.
    @Test func oneBadNumberRejectsWholeBroadcast() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: APITestServer.sendToken,
            json: ["to": ["+447700900123", "not a number", "+447700900125", "+99", "07700 900123"], "text": "Test"]
        )

        #expect(response.status == 422)
        #expect(response.errorCode == "invalid_recipients")
        let rejected = try #require((response.json["error"] as? [String: Any])?["rejected"] as? [[String: Any]])
        #expect(rejected.map { $0["index"] as? Int } == [1, 3, 4])
        #expect((rejected.last?["reason"] as? String)?.contains("listed twice") == true)
        #expect(rejected.first?["value"] as? String == "not a number")
        #expect(rejected.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        #expect(try await server.store.messages(limit: 10).isEmpty)
        #expect(try await server.store.broadcasts(limit: 10).isEmpty)
    }

    /// A repeat with the same idempotency key returns 200 with the first broadcast and queues nothing new.
    @Test func idempotentBroadcast() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let body: [String: Any] = ["to": ["+447700900123", "+447700900124"], "text": "Hi", "idempotency_key": "b-1"]

        let first = try await server.send("POST", "/v1/broadcasts", token: APITestServer.sendToken, json: body)
        let second = try await server.send("POST", "/v1/broadcasts", token: APITestServer.sendToken, json: body)

        #expect(first.status == 201)
        #expect(second.status == 200)
        #expect(first.json["id"] as? Int == second.json["id"] as? Int)
        #expect(first.json["message_ids"] as? [Int] == second.json["message_ids"] as? [Int])
        #expect(try await server.store.messages(limit: 10).count == 2)
        #expect(try await server.store.broadcasts(limit: 10).count == 1)
    }

    /// An unknown broadcast is 404 for reads and cancels.
    @Test(arguments: [("GET", "/v1/broadcasts/77"), ("POST", "/v1/broadcasts/77/cancel")])
    func unknownBroadcastIsNotFound(method: String, path: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(method, path, token: APITestServer.adminToken)

        #expect(response.status == 404)
        #expect(response.errorCode == "broadcast_not_found")
    }
}
