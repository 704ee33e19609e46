import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct MessagesAPITests {
    /// A valid submission is queued, returns 201 with its plan, and wakes the dispatcher.
    @Test func submitQueuesMessage() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/v1/messages",
            token: APITestServer.sendToken,
            json: ["to": "07700 900123", "text": "Fire drill at 10:00", "priority": "high"]
        )

        #expect(response.status == 201)
        let json = response.json
        #expect(json["recipient"] as? String == "+447700900123")
        #expect(json["state"] as? String == "queued")
        #expect(json["priority"] as? String == "high")
        #expect(json["encoding"] as? String == "gsm7")
        #expect(json["segments"] as? Int == 1)
        let id = try #require(json["id"] as? Int)
        let stored = try await server.store.message(Int64(id))
        #expect(stored?.recipient == "+447700900123")
        #expect(stored?.priority == .high)
        #expect(await eventually { await server.recorder.wakes >= 1 })
    }

    /// A repeat with the same idempotency key returns 200 with the first id and queues nothing new.
    @Test func idempotencyKeyReturnsSameMessage() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let body: [String: Any] = ["to": "+447700900123", "text": "Gate closes", "idempotency_key": "alert-42"]

        let first = try await server.send("POST", "/v1/messages", token: APITestServer.sendToken, json: body)
        let second = try await server.send("POST", "/v1/messages", token: APITestServer.sendToken, json: body)

        #expect(first.status == 201)
        #expect(second.status == 200)
        #expect(first.json["id"] as? Int == second.json["id"] as? Int)
        #expect(try await server.store.messages(limit: 10).count == 1)
    }

    /// Listing, reading one message with its events, and cancelling it all work with the right roles.
    @Test func listReadAndCancel() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let created = try await server.send(
            "POST",
            "/v1/messages",
            token: APITestServer.sendToken,
            json: ["to": "+447700900123", "text": "Ünïcode test ✓"]
        )
        #expect(created.json["encoding"] as? String == "ucs2")
        let id = try #require(created.json["id"] as? Int)

        let list = try await server.send("GET", "/v1/messages?limit=5", token: APITestServer.readToken)
        #expect(list.status == 200)
        let messages = try #require(list.json["messages"] as? [[String: Any]])
        #expect(messages.map { $0["id"] as? Int } == [id])

        let detail = try await server.send("GET", "/v1/messages/\(id)", token: APITestServer.readToken)
        #expect(detail.status == 200)
        let events = try #require(detail.json["events"] as? [[String: Any]])
        #expect(events.first?["state"] as? String == "queued")
        #expect((detail.json["attempts"] as? [Any])?.isEmpty == true)

        let cancelled = try await server.send("POST", "/v1/messages/\(id)/cancel", token: APITestServer.sendToken)
        #expect(cancelled.status == 200)
        #expect(cancelled.json["state"] as? String == "cancelled")
        #expect(try await server.store.message(Int64(id))?.state == .cancelled)

        let again = try await server.send("POST", "/v1/messages/\(id)/cancel", token: APITestServer.sendToken)
        #expect(again.status == 409)
        #expect(again.errorCode == "not_cancellable")
    }

    /// Unknown message ids are 404 with a stable code, for reads and cancels.
    @Test(arguments: ["/v1/messages/999", "/v1/messages/abc", "/v1/messages/0"])
    func unknownMessageIsNotFound(path: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send("GET", path, token: APITestServer.readToken)

        #expect(response.status == 404)
        #expect(response.errorCode == "message_not_found")
    }

    /// An invalid number or an empty text is 422 naming the field, and nothing is queued.
    @Test(arguments: [
        (["to": "12", "text": "hi"], "to", "invalid_recipient"),
        (["to": "+447700900123", "text": "   "], "text", "invalid_value"),
        (["to": "+447700900123", "text": "hi", "priority": "urgent"], "priority", "invalid_value"),
        (["to": "+447700900123", "text": "hi", "idempotency_key": ""], "idempotency_key", "invalid_value"),
        (["to": "+447700900123", "text": String(repeating: "x", count: 1000)], "text", "text_not_sendable"),
    ])
    func invalidSubmissionIsRejected(body: [String: String], field: String, code: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send("POST", "/v1/messages", token: APITestServer.sendToken, json: body)

        #expect(response.status == 422)
        #expect(response.errorField == field)
        #expect(response.errorCode == code)
        #expect(try await server.store.messages(limit: 10).isEmpty)
    }
}

/// Polls `condition` until it is true or 10 s pass, for effects that happen in a detached task.
func eventually(_ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        await Task.yield()
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

@Suite struct ConcurrentSubmissionTests {
    /// Forty submissions at once each get their own connection thread and their own message.
    @Test func parallelSubmissionsAllQueue() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let statuses = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let response = try await server.send(
                        "POST",
                        "/v1/messages",
                        token: APITestServer.sendToken,
                        json: ["to": "+4477009001\(10 + index)", "text": "Message \(index)"]
                    )
                    return (response.status, response.json["id"] as? Int)
                }
            }
            var results: [(Int, Int?)] = []
            for try await result in group { results.append(result) }
            return results
        }

        #expect(statuses.allSatisfy { $0.0 == 201 })
        #expect(Set(statuses.compactMap(\.1)).count == 40)
        #expect(try await server.store.messages(limit: 100).count == 40)
    }
}
