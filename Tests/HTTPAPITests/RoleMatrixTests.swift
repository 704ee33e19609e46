import Config
import Foundation
import Testing

@testable import HTTPAPI

@Suite struct RoleMatrixTests {
    /// Each `/v1` route with the lowest role that may call it, as `APITokenSettings.Role` documents.
    static let routes: [(method: String, path: String, role: APITokenSettings.Role)] = [
        ("GET", "/v1/messages", .read),
        ("GET", "/v1/messages/1", .read),
        ("GET", "/v1/broadcasts", .read),
        ("GET", "/v1/broadcasts/1", .read),
        ("GET", "/v1/providers", .read),
        ("GET", "/v1/queue", .read),
        ("POST", "/v1/messages", .send),
        ("POST", "/v1/messages/1/cancel", .send),
        ("POST", "/v1/broadcasts", .send),
        ("POST", "/v1/broadcasts/1/cancel", .send),
        ("POST", "/v1/contacts/import?group=staff", .admin),
    ]

    /// The test's tokens, in the documented rank order read < send < admin.
    static let tokens: [(APITokenSettings.Role, String)] = [
        (.read, APITestServer.readToken), (.send, APITestServer.sendToken), (.admin, APITestServer.adminToken),
    ]

    static func rank(_ role: APITokenSettings.Role) -> Int {
        tokens.firstIndex { $0.0 == role } ?? -1
    }

    /// A token below a route's role gets 403 `forbidden`; a token at or above it gets past the
    /// role check (any status but 401 and 403).
    @Test func rolesMatchDocumentation() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        for route in Self.routes {
            for (role, token) in Self.tokens {
                let response = try await server.send(
                    route.method,
                    route.path,
                    token: token,
                    body: Array("{}".utf8),
                    headers: [("Content-Type", "application/json")]
                )
                let allowed = Self.rank(role) >= Self.rank(route.role)
                let label = "\(route.method) \(route.path) with \(role.rawValue)"
                if allowed {
                    #expect(![401, 403].contains(response.status), "\(label): \(response.status)")
                } else {
                    #expect(response.status == 403, "\(label): \(response.status)")
                    #expect(response.errorCode == "forbidden", "\(label)")
                }
            }
        }
    }
}
