import Config
import Diagnostics
import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct HTTPServerTests {
    /// A listen address that is not an IP literal fails at start with the address named.
    @Test func invalidAddressFailsToStart() async throws {
        let server = HTTPServer(host: "lifeline.local", port: 0, logger: .disabled) { _ in HTTPResponse(status: 204) }

        #expect(throws: HTTPServerError.invalidAddress("lifeline.local")) { try server.start() }
    }

    /// A port already bound by another server fails with cannotListen; a second start is rejected.
    @Test func busyPortFailsToStart() async throws {
        let first = HTTPServer(host: "127.0.0.1", port: 0, logger: .disabled) { _ in HTTPResponse(status: 204) }
        try first.start()
        let second = HTTPServer(host: "127.0.0.1", port: first.port, logger: .disabled) { _ in HTTPResponse(status: 204)
        }

        #expect(throws: HTTPServerError.self) { try second.start() }
        #expect(throws: HTTPServerError.alreadyStarted) { try first.start() }
        #expect(first.port > 0)
        await first.stop()
    }

    /// The handler gets method, path, decoded query, lower-cased headers and the whole body.
    @Test func requestReachesHandler() async throws {
        let seen = RequestBox()
        let server = HTTPServer(host: "127.0.0.1", port: 0, logger: .disabled) { request in
            seen.set(request)
            return HTTPResponse(status: 200, contentType: "text/plain", text: "ok")
        }
        try server.start()

        let response = try await RawHTTPClient.send(
            port: server.port,
            method: "POST",
            path: "/a/b?x=1&name=caf%C3%A9",
            headers: [("X-Custom", "value")],
            body: Array("hello".utf8)
        )
        await server.stop()

        #expect(response.status == 200)
        #expect(response.text == "ok")
        let request = try #require(seen.get())
        #expect(request.method == "POST")
        #expect(request.path == "/a/b")
        #expect(request.queryValue("name") == "café")
        #expect(request.header("X-CUSTOM") == "value")
        #expect(request.body == Array("hello".utf8))
        #expect(!request.bodyExceededLimit)
    }

    /// A handler slower than the limit loses its connection; the server keeps serving others.
    @Test func slowHandlerIsCutOff() async throws {
        let gate = Gate()
        var limits = HTTPServerLimits()
        // Long enough that the fast request is never cut off on a loaded machine; the slow one
        // waits on the gate, so it reaches the limit whatever the limit is.
        limits.handlerTimeout = .seconds(3)
        let server = HTTPServer(host: "127.0.0.1", port: 0, limits: limits, logger: .disabled) { request in
            if request.path == "/slow" { await gate.wait() }
            return HTTPResponse(status: 204)
        }
        try server.start()

        await #expect(throws: RawHTTPClient.Failure.self) {
            try await RawHTTPClient.send(port: server.port, method: "GET", path: "/slow")
        }
        let fast = try await RawHTTPClient.send(port: server.port, method: "GET", path: "/fast")
        await gate.open()
        await server.stop()

        #expect(fast.status == 204)
    }

    /// Bearer tokens are read from the header with any case of the scheme; other schemes are ignored.
    @Test(arguments: [
        ("Bearer abc", Optional("abc")), ("bearer  abc ", "abc"), ("Basic abc", nil), ("Bearer", nil), ("", nil),
    ])
    func bearerTokenParsing(header: String, token: String?) {
        #expect(BearerAuthenticator.bearerToken(in: header) == token)
    }

    /// The constant-time comparison matches equal byte strings only, whatever their lengths.
    @Test(arguments: [
        ("abc", "abc", true), ("abc", "abd", false), ("abc", "abcd", false), ("", "", true), ("a", "", false),
    ])
    func constantTimeComparison(lhs: String, rhs: String, equal: Bool) {
        #expect(BearerAuthenticator.constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8)) == equal)
    }
}

/// The last request a handler saw.
final class RequestBox: @unchecked Sendable {
    // @unchecked: `lock` guards `request`.
    private let lock = NSLock()
    private var request: HTTPRequest?

    func set(_ value: HTTPRequest) { lock.withLock { request = value } }
    func get() -> HTTPRequest? { lock.withLock { request } }
}

/// Holds handlers until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
