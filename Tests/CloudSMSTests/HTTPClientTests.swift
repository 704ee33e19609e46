import Diagnostics
import Foundation
import Testing

@testable import CloudSMS

@Suite struct HTTPClientTests {
    private func messagesRequest(baseURL: String, to recipient: String, timeout: Duration = .seconds(30)) -> HTTPRequest {
        let body = FormEncoding.encode([
            FormField(name: "To", value: recipient),
            FormField(name: "From", value: "+15005550006"),
            FormField(name: "Body", value: "test"),
        ])
        return HTTPRequest(
            method: .post,
            url: "\(baseURL)/2010-04-01/Accounts/\(CloudFake.accountSID)/Messages.json",
            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: Array(body.utf8),
            credentials: BasicCredentials(username: CloudFake.accountSID, password: CloudFake.authToken),
            connectTimeout: .seconds(5),
            timeout: timeout
        )
    }

    private func expectError(
        _ request: HTTPRequest,
        client: HTTPClient,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> HTTPClientError? {
        do {
            let response = try await client.execute(request)
            Issue.record("expected an error, got HTTP \(response.status)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// A POST to the fake comes back with status, headers and the whole body.
    @Test func postReturnsResponse() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(logger: .disabled)
        let response = try await client.execute(messagesRequest(baseURL: fake.baseURL, to: "+447700900123"))
        #expect(response.status == 201)
        #expect(response.headerValue(named: "content-type") == "application/json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect((json["sid"] as? String)?.hasPrefix("SM") == true)
    }

    /// Requests in a row on one client succeed and reuse one TCP connection.
    @Test func sequentialRequestsReuseConnection() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(logger: .disabled)
        for _ in 0..<5 {
            let response = try await client.execute(messagesRequest(baseURL: fake.baseURL, to: "+447700900123"))
            #expect(response.status == 201)
        }
        let records = try await FakeRecords.fetch(from: fake, client: client)
        #expect(records.count == 5)
        #expect(Set(records.map(\.clientPort)).count == 1)
    }

    /// An https URL aimed at a plain-HTTP server fails the TLS handshake, classed unavailable.
    @Test func tlsHandshakeFailureIsUnavailable() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(logger: .disabled)
        let request = messagesRequest(baseURL: "https://127.0.0.1:\(fake.port)", to: "+447700900123")
        let error = try #require(await expectError(request, client: client))
        #expect(error.code == .tlsFailure)
        #expect(error.classification == .unavailable)
    }

    /// Concurrent requests all finish with their own responses.
    @Test func concurrentRequestsFinish() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(logger: .disabled)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                let recipient = index.isMultiple(of: 2) ? "+447700900123" : "+15005550001"
                let request = messagesRequest(baseURL: fake.baseURL, to: recipient)
                group.addTask { try await client.execute(request).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.sorted() == [201, 201, 201, 201, 400, 400, 400, 400])
    }

    /// A port with no listener fails with `connectionRefused`, classed unavailable, without waiting for a timeout.
    @Test func refusedConnectionIsUnavailable() async throws {
        let port = try LoopbackSocket.closedPort()
        let client = try HTTPClient(logger: .disabled)
        var request = messagesRequest(baseURL: "http://127.0.0.1:\(port)", to: "+447700900123")
        request.connectTimeout = .seconds(60)
        request.timeout = .seconds(60)
        let error = try #require(await expectError(request, client: client))
        #expect(error.code == .connectionRefused)
        #expect(error.classification == .unavailable)
        #expect(!error.requestMayHaveLeft)
    }

    /// A listener that never responds ends in `timeoutAfterSend` once the total timeout passes, classed ambiguous.
    @Test func blackHoleIsAmbiguous() async throws {
        let blackHole = try LoopbackSocket(listening: true)
        defer { withExtendedLifetime(blackHole) {} }
        let client = try HTTPClient(logger: .disabled)
        let request = messagesRequest(baseURL: "http://127.0.0.1:\(blackHole.port)", to: "+447700900123", timeout: .seconds(1))
        let error = try #require(await expectError(request, client: client))
        #expect(error.code == .timeoutAfterSend)
        #expect(error.classification == .ambiguous)
        #expect(error.requestMayHaveLeft)
    }

    /// A server that trickles its body slower than the timeout allows ends ambiguous.
    @Test func slowTrickleIsAmbiguous() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(logger: .disabled)
        let request = messagesRequest(baseURL: fake.baseURL, to: "+15005550009", timeout: .seconds(1))
        let error = try #require(await expectError(request, client: client))
        #expect(error.code == .timeoutAfterSend)
        #expect(error.classification == .ambiguous)
    }

    /// A 10 MB body stops at the 1 MiB limit with `bodyTooLarge` carrying the status.
    @Test func oversizedBodyIsRejected() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(logger: .disabled)
        let error = try #require(await expectError(messagesRequest(baseURL: fake.baseURL, to: "+15005550007"), client: client))
        #expect(error.code == .bodyTooLarge(status: 201, limit: 1 << 20))
        #expect(error.classification == .ambiguous)
    }

    /// A smaller configured limit applies too, and the client still works afterwards.
    @Test func configuredBodyLimitApplies() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let client = try HTTPClient(configuration: .init(maxResponseBodyBytes: 64), logger: .disabled)
        let error = try #require(await expectError(messagesRequest(baseURL: fake.baseURL, to: "+447700900123"), client: client))
        #expect(error.code == .bodyTooLarge(status: 201, limit: 64))
        let smallBody = try await client.execute(messagesRequest(baseURL: fake.baseURL, to: "+15005550010"))
        #expect(smallBody.status == 200)
    }

    /// Cancelling the calling task stops a transfer that would otherwise wait a minute.
    @Test func cancellationStopsTransfer() async throws {
        let blackHole = try LoopbackSocket(listening: true)
        defer { withExtendedLifetime(blackHole) {} }
        let client = try HTTPClient(logger: .disabled)
        let request = messagesRequest(baseURL: "http://127.0.0.1:\(blackHole.port)", to: "+447700900123", timeout: .seconds(60))
        let task = Task { () -> HTTPClientError? in
            do throws(HTTPClientError) {
                _ = try await client.execute(request)
                return nil
            } catch {
                return error
            }
        }
        task.cancel()
        let error = await task.value
        #expect(error?.code == .cancelled)
    }

    /// After `shutdown()` a request fails with `clientClosed` and nothing is sent.
    @Test func shutdownRejectsRequests() async throws {
        let port = try LoopbackSocket.closedPort()
        let client = try HTTPClient(logger: .disabled)
        client.shutdown()
        let error = try #require(await expectError(messagesRequest(baseURL: "http://127.0.0.1:\(port)", to: "+1"), client: client))
        #expect(error.code == .clientClosed)
        #expect(error.classification == .unavailable)
    }

    /// Through a configured proxy the request reaches the fake in absolute form with proxy credentials, and the
    /// target host is never resolved locally.
    @Test func proxyCarriesRequest() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let proxy = HTTPProxy(
            url: fake.baseURL,
            credentials: BasicCredentials(username: CloudFake.proxyUser, password: CloudFake.proxyPassword)
        )
        let client = try HTTPClient(configuration: .init(proxy: proxy), logger: .disabled)
        let response = try await client.execute(messagesRequest(baseURL: "http://api.twilio.invalid", to: "+447700900123"))
        #expect(response.status == 201)

        let records = try await FakeRecords.fetch(from: fake, client: try HTTPClient(logger: .disabled))
        let record = try #require(records.first)
        #expect(record.proxied)
        #expect(record.proxyAuth == "ok")
        #expect(record.auth == "ok")
        #expect(record.conforms)
    }

    /// An unknown scheme is rejected before any connection as `invalidRequest`.
    @Test func unsupportedSchemeIsInvalid() async throws {
        let client = try HTTPClient(logger: .disabled)
        let request = HTTPRequest(method: .get, url: "ftp://127.0.0.1:1/file")
        let error = try #require(await expectError(request, client: client))
        #expect(error.code == .invalidRequest)
        #expect(error.classification == .unavailable)
    }

    /// A URL with a user name and password is rejected before any connection, and the error does not repeat them.
    @Test func credentialsInURLAreRejected() async throws {
        let port = try LoopbackSocket.closedPort()
        let client = try HTTPClient(logger: .disabled)
        let request = HTTPRequest(method: .get, url: "http://user:hunter2@127.0.0.1:\(port)/")
        let error = try #require(await expectError(request, client: client))
        #expect(error.code == .invalidRequest)
        #expect(!error.description.contains("hunter2"))
    }

    /// Each libcurl failure maps to its class; codes that need a real network are covered here by value.
    @Test(arguments: [
        (6, false, HTTPClientError.Code.dnsFailure),
        (7, false, .connectionRefused),
        (5, false, .proxyFailure),
        (35, false, .tlsFailure),
        (60, false, .tlsFailure),
        (28, false, .connectTimeout),
        (28, true, .timeoutAfterSend),
        (52, true, .connectionLost),
        (56, true, .connectionLost),
        (3, false, .invalidRequest),
    ])
    func curlCodesMap(raw: Int, sent: Bool, expected: HTTPClientError.Code) {
        #expect(CurlTransfer.errorCode(forRawCode: Int32(raw), requestMayHaveLeft: sent) == expected)
    }
}

/// Reads what the fake recorded.
enum FakeRecords {
    static func fetch(from fake: CloudFake, client: HTTPClient) async throws -> [FakeRecord] {
        let response = try await client.execute(HTTPRequest(method: .get, url: "\(fake.baseURL)/_fake/requests"))
        return try JSONDecoder().decode([FakeRecord].self, from: Data(response.body))
    }
}
