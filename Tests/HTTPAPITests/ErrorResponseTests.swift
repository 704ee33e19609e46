import Foundation
import Testing

@testable import HTTPAPI

@Suite struct ErrorResponseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var token: String?
        var body: String?
        var status: Int
        var code: String
        var field: String?
        var testDescription: String { name }
    }

    static let send = APITestServer.sendToken
    static let cases: [Case] = [
        Case(
            name: "malformed JSON",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: #"{"to": "+44"#,
            status: 400,
            code: "malformed_json"
        ),
        Case(
            name: "empty body",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: "",
            status: 400,
            code: "malformed_json"
        ),
        Case(
            name: "array body",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: "[1]",
            status: 422,
            code: "invalid_type",
            field: ""
        ),
        Case(
            name: "number for to",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: #"{"to": 447700900123, "text": "x"}"#,
            status: 422,
            code: "invalid_type",
            field: "to"
        ),
        Case(
            name: "bool for text",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: #"{"to": "+447700900123", "text": true}"#,
            status: 422,
            code: "invalid_type",
            field: "text"
        ),
        Case(
            name: "string for broadcast list",
            method: "POST",
            path: "/v1/broadcasts",
            token: send,
            body: #"{"to": "+447700900123", "text": "x"}"#,
            status: 422,
            code: "invalid_type",
            field: "to"
        ),
        Case(
            name: "number in broadcast list",
            method: "POST",
            path: "/v1/broadcasts",
            token: send,
            body: #"{"to": ["+447700900123", 5], "text": "x"}"#,
            status: 422,
            code: "invalid_type",
            field: "to[1]"
        ),
        Case(
            name: "unknown fields",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: #"{"to": "+447700900123", "text": "x", "sender": "a", "flash": true}"#,
            status: 422,
            code: "unknown_field",
            field: "flash,sender"
        ),
        Case(
            name: "missing text",
            method: "POST",
            path: "/v1/messages",
            token: send,
            body: #"{"to": "+447700900123"}"#,
            status: 422,
            code: "missing_field",
            field: "text"
        ),
        Case(name: "missing token", method: "GET", path: "/v1/queue", token: nil, status: 401, code: "missing_token"),
        Case(
            name: "wrong token",
            method: "GET",
            path: "/v1/queue",
            token: "not-a-configured-token-at-all",
            status: 401,
            code: "invalid_token"
        ),
        Case(
            name: "read token sends",
            method: "POST",
            path: "/v1/messages",
            token: APITestServer.readToken,
            body: #"{"to": "+447700900123", "text": "x"}"#,
            status: 403,
            code: "forbidden"
        ),
        Case(
            name: "read token cancels",
            method: "POST",
            path: "/v1/broadcasts/1/cancel",
            token: APITestServer.readToken,
            status: 403,
            code: "forbidden"
        ),
        Case(
            name: "unknown route",
            method: "GET",
            path: "/v1/nothing",
            token: send,
            status: 404,
            code: "route_not_found"
        ),
        Case(
            name: "trailing slash",
            method: "GET",
            path: "/v1/queue/",
            token: send,
            status: 404,
            code: "route_not_found"
        ),
        Case(
            name: "wrong method",
            method: "DELETE",
            path: "/v1/messages",
            token: send,
            status: 405,
            code: "method_not_allowed"
        ),
        Case(
            name: "bad limit",
            method: "GET",
            path: "/v1/messages?limit=0",
            token: send,
            status: 422,
            code: "invalid_value",
            field: "limit"
        ),
    ]

    /// Each error class returns its status with a JSON error naming a stable code and the field.
    @Test(arguments: cases)
    func errorClass(_ testCase: Case) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            testCase.method,
            testCase.path,
            token: testCase.token,
            body: testCase.body.map { Array($0.utf8) }
        )

        #expect(response.status == testCase.status)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.errorCode == testCase.code)
        #expect(response.errorField == testCase.field)
        #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
    }

    /// A 401 names the Bearer scheme, and a 405 lists the allowed methods.
    @Test func challengeAndAllowHeaders() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let unauthorized = try await server.send("GET", "/v1/messages")
        let wrongMethod = try await server.send("PUT", "/v1/messages", token: APITestServer.readToken)

        #expect(unauthorized.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(wrongMethod.headers["allow"] == "POST, GET")
    }

    /// The admin role can do what send and read can.
    @Test func adminMayDoEverything() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let sent = try await server.send(
            "POST",
            "/v1/messages",
            token: APITestServer.adminToken,
            json: ["to": "+447700900123", "text": "x"]
        )
        let read = try await server.send("GET", "/v1/queue", token: APITestServer.adminToken)

        #expect(sent.status == 201)
        #expect(read.status == 200)
    }

    /// A body over 1 MiB is 413 and nothing is queued; the server still responds afterwards.
    @Test func hugeBodyIsRejected() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let text = String(repeating: "a", count: (1 << 20) + 10)
        let body = Array(#"{"to": "+447700900123", "text": "\#(text)"}"#.utf8)

        let response = try await server.send("POST", "/v1/messages", token: APITestServer.sendToken, body: body)
        let after = try await server.send("GET", "/v1/queue", token: APITestServer.readToken)

        #expect(response.status == 413)
        #expect(response.errorCode == "payload_too_large")
        #expect(after.status == 200)
        #expect(try await server.store.messages(limit: 1).isEmpty)
    }

    /// A body announced far beyond the discard limit is refused without reading it.
    @Test func announcedHugeBodyIsRefusedEarly() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let head =
            "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(APITestServer.sendToken)\r\n"
            + "Content-Length: 100000000\r\nConnection: close\r\n\r\n{\"to\":"

        let response = try await RawHTTPClient.exchange(port: server.port, bytes: Array(head.utf8))

        #expect(response.status == 413)
        #expect(response.errorCode == "payload_too_large")
    }

    /// Headers larger than the connection's memory are refused by the server, which keeps serving.
    @Test func hugeHeadersAreRefused() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "GET",
            "/v1/queue",
            token: APITestServer.readToken,
            headers: [("X-Padding", String(repeating: "p", count: 200_000))]
        )
        let after = try await server.send("GET", "/v1/queue", token: APITestServer.readToken)

        #expect((400..<500).contains(response.status))
        #expect(after.status == 200)
    }
}
