import Foundation
import Testing

@testable import HTTPAPI

/// SplitMix64: a small seeded generator, so a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

@Suite struct RequestFuzzTests {
    static let valid: [String: String] = [
        "/v1/messages":
            #"{"to": "+447700900123", "text": "Evacuate now", "priority": "emergency", "idempotency_key": "k1"}"#,
        "/v1/broadcasts": #"{"to": ["+447700900123", "07700 900124"], "text": "Drill", "name": "B"}"#,
    ]

    /// Random bytes, JSON-looking fragments, every truncation of a valid body and deep nesting all
    /// get a 4xx JSON error with a code, never a crash or a 5xx.
    @Test(arguments: ["/v1/messages", "/v1/broadcasts"])
    func malformedBodiesGetClientErrors(path: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        var generator = SeededGenerator(state: 0x5EED_0001)
        let valid = Array(Self.valid[path]!.utf8)
        var bodies: [[UInt8]] = (0..<valid.count).map { Array(valid.prefix($0)) }
        let alphabet = Array(#"{}[]":,0123456789.eE+-truefalsnl \ "tox"#.utf8)
        for _ in 0..<300 {
            let count = Int.random(in: 0..<64, using: &generator)
            if Bool.random(using: &generator) {
                bodies.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            } else {
                bodies.append((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
            }
        }
        for _ in 0..<100 {
            var mutated = valid
            let index = Int.random(in: 0..<mutated.count, using: &generator)
            mutated[index] = UInt8.random(in: 0...255, using: &generator)
            bodies.append(mutated)
        }
        bodies.append(Array(String(repeating: "[", count: 100_000).utf8))
        bodies.append(
            Array((String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)).utf8)
        )

        for body in bodies {
            let request = HTTPRequest(
                method: "POST",
                path: path,
                headers: [HTTPField(name: "authorization", value: "Bearer \(APITestServer.sendToken)")],
                body: body
            )
            let response = await server.server.respond(to: request)
            guard case .bytes(let bytes) = response.body else {
                Issue.record("a streamed answer to a submission")
                continue
            }
            let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
            let isCreated = response.status == 201 || response.status == 200
            if !isCreated {
                #expect(
                    (400..<500).contains(response.status),
                    "status \(response.status) for \(String(decoding: body.prefix(80), as: UTF8.self))"
                )
                #expect((json?["error"] as? [String: Any])?["code"] is String)
            }
        }

        let alive = try await server.send("GET", "/v1/queue", token: APITestServer.readToken)
        #expect(alive.status == 200)
    }

    /// Truncated requests on the wire (cut inside the head or the body) never take the server down.
    @Test func truncatedRequestsOnTheWire() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let body = Self.valid["/v1/messages"]!
        let full =
            "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(APITestServer.sendToken)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(full.utf8)
        var generator = SeededGenerator(state: 0x5EED_0002)

        for _ in 0..<20 {
            let cut = Int.random(in: 0..<bytes.count, using: &generator)
            _ = try? await RawHTTPClient.exchange(port: server.port, bytes: Array(bytes.prefix(cut)), halfClose: true)
        }
        let garbage = try await RawHTTPClient.exchange(port: server.port, bytes: Array("NOT HTTP AT ALL\r\n\r\n".utf8))

        #expect((400..<500).contains(garbage.status))
        let alive = try await server.send("GET", "/v1/queue", token: APITestServer.readToken)
        #expect(alive.status == 200)
    }
}
