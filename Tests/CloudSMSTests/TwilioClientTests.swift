import Diagnostics
import Foundation
import Testing

@testable import CloudSMS

@Suite struct TwilioClientTests {
    private func settings(
        baseURL: String,
        credentials: TwilioSettings.Credentials = .authToken(CloudFake.authToken),
        sender: TwilioSettings.Sender = .phoneNumber("+15005550006"),
        timeout: Duration = .seconds(30)
    ) -> TwilioSettings {
        TwilioSettings(
            accountSID: CloudFake.accountSID,
            credentials: credentials,
            sender: sender,
            baseURL: baseURL,
            requestTimeout: timeout
        )
    }

    /// A send to an ordinary number is accepted with the sid the fake created, and the request conforms to
    /// Twilio's OpenAPI description with the right Basic credentials and fields.
    @Test func acceptedWithSid() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        var settings = settings(baseURL: fake.baseURL)
        settings.statusCallbackURL = "https://gateway.example.org/webhooks/twilio"
        settings.validityPeriod = .seconds(600)
        let client = TwilioClient(settings: settings, http: http, logger: .disabled)

        let result = await client.send(to: "+447700900123", body: "Fire drill at 10:00 & meet at gate B")

        guard case .accepted(let sid) = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        #expect(sid.hasPrefix("SM"))
        #expect(sid.count == 34)
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
        #expect(record.auth == "ok")
        #expect(record.contentType == "application/x-www-form-urlencoded")
        #expect(
            record.fields == [
                "To": "+447700900123",
                "From": "+15005550006",
                "Body": "Fire drill at 10:00 & meet at gate B",
                "StatusCallback": "https://gateway.example.org/webhooks/twilio",
                "ValidityPeriod": "600",
            ]
        )
    }

    /// API key credentials and a Messaging Service sender are accepted and conform.
    @Test func apiKeyAndMessagingService() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let settings = settings(
            baseURL: fake.baseURL,
            credentials: .apiKey(sid: CloudFake.apiKeySID, secret: CloudFake.apiKeySecret),
            sender: .messagingService(sid: "MG0123456789abcdef0123456789abcdef")
        )
        let result = await TwilioClient(settings: settings, http: http, logger: .disabled)
            .send(to: "+12025550143", body: "Gruß aus dem Lager ✅")

        guard case .accepted = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
        #expect(record.auth == "ok")
        #expect(record.fields["MessagingServiceSid"] == "MG0123456789abcdef0123456789abcdef")
        #expect(record.fields["From"] == nil)
        #expect(record.fields["Body"] == "Gruß aus dem Lager ✅")
    }

    /// A wrong auth token is rejected by the fake with 401 and classed unavailable.
    @Test func wrongTokenIsUnavailable() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let settings = settings(baseURL: fake.baseURL, credentials: .authToken("not-the-token"))
        let result = await TwilioClient(settings: settings, http: http, logger: .disabled)
            .send(to: "+447700900123", body: "x")
        guard case .unavailable(let reason) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(reason.contains("20003"))
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.auth == "wrong")
    }

    /// Each scripted response of the fake lands in its class; every request still conforms.
    @Test(arguments: [
        ("+15005550001", "recipientError 21211"),
        ("+15005550002", "recipientError 21614"),
        ("+15005550003", "unavailable"),
        ("+15005550004", "throttled 7"),
        ("+15005550005", "unavailable"),
        ("+15005550006", "ambiguous"),
        ("+15005550007", "ambiguous"),
        ("+15005550010", "ambiguous"),
    ])
    func scriptedAnswers(recipient: String, expected: String) async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let result = await TwilioClient(settings: settings(baseURL: fake.baseURL), http: http, logger: .disabled)
            .send(to: recipient, body: "scripted")
        #expect(Self.summary(result) == expected, "\(result)")
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
    }

    /// A recipient error quotes Twilio's message with the phone number masked.
    @Test func recipientErrorMasksNumber() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let result = await TwilioClient(settings: settings(baseURL: fake.baseURL), http: try HTTPClient(logger: .disabled), logger: .disabled)
            .send(to: "+15005550001", body: "x")
        guard case .recipientError(_, let message) = result else {
            Issue.record("expected recipientError, got \(result)")
            return
        }
        #expect(message.contains("not a valid phone number"))
        #expect(!message.contains("+15005550001"))
    }

    /// A request the fake never responds to ends ambiguous after the request timeout.
    @Test func blackHoleIsAmbiguous() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let settings = settings(baseURL: fake.baseURL, timeout: .seconds(1))
        let result = await TwilioClient(settings: settings, http: try HTTPClient(logger: .disabled), logger: .disabled)
            .send(to: "+15005550008", body: "x")
        #expect(Self.summary(result) == "ambiguous", "\(result)")
    }

    /// A port with no listener is unavailable.
    @Test func refusedIsUnavailable() async throws {
        let port = try LoopbackSocket.closedPort()
        let result = await TwilioClient(
            settings: settings(baseURL: "http://127.0.0.1:\(port)"),
            http: try HTTPClient(logger: .disabled),
            logger: .disabled
        ).send(to: "+447700900123", body: "x")
        #expect(Self.summary(result) == "unavailable", "\(result)")
    }

    /// At trace level, no log line contains the auth token, the API secret, their Basic encoding, the full number
    /// or the message text.
    @Test func secretsStayOutOfLogs() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "cloud", level: .trace, handler: handler)
        let http = try HTTPClient(logger: logger)
        let tokenClient = TwilioClient(settings: settings(baseURL: fake.baseURL), http: http, logger: logger)
        let keyClient = TwilioClient(
            settings: settings(
                baseURL: fake.baseURL,
                credentials: .apiKey(sid: CloudFake.apiKeySID, secret: CloudFake.apiKeySecret)
            ),
            http: http,
            logger: logger
        )
        _ = await tokenClient.send(to: "+447700900123", body: "secret meeting point")
        _ = await tokenClient.send(to: "+15005550003", body: "secret meeting point")
        _ = await keyClient.send(to: "+447700900123", body: "secret meeting point")

        let basicToken = Data("\(CloudFake.accountSID):\(CloudFake.authToken)".utf8).base64EncodedString()
        let basicKey = Data("\(CloudFake.apiKeySID):\(CloudFake.apiKeySecret)".utf8).base64EncodedString()
        let forbidden = [CloudFake.authToken, CloudFake.apiKeySecret, basicToken, basicKey, "+447700900123", "secret meeting"]
        let lines = handler.records.map { StdoutLogHandler.format($0, prefixesPriority: false) }
        #expect(lines.count >= 6)
        for line in lines {
            for secret in forbidden {
                #expect(!line.contains(secret), "\(line)")
            }
        }
        #expect("\(TwilioSettings.Credentials.authToken(CloudFake.authToken))".contains(CloudFake.authToken) == false)
    }

    /// The probe lists messages with the right credentials and reports healthy; a wrong token or a closed port is
    /// unhealthy.
    @Test func probeReportsHealth() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let good = TwilioClient(settings: settings(baseURL: fake.baseURL), http: http, logger: .disabled)
        #expect(await good.probe() == .healthy)

        let badToken = TwilioClient(
            settings: settings(baseURL: fake.baseURL, credentials: .authToken("not-the-token")),
            http: http,
            logger: .disabled
        )
        let rejected = await badToken.probe()
        #expect(rejected != .healthy)

        let records = try await FakeRecords.fetch(from: fake, client: http)
        #expect(records.count == 2)
        for record in records {
            #expect(record.method == "GET")
            #expect(record.conforms, "\(record.problems)")
        }
        #expect(records.map(\.auth) == ["ok", "wrong"])

        let port = try LoopbackSocket.closedPort()
        let unreachable = TwilioClient(settings: settings(baseURL: "http://127.0.0.1:\(port)"), http: http, logger: .disabled)
        #expect(await unreachable.probe() != .healthy)
    }

    static func summary(_ result: CloudSendResult) -> String {
        switch result {
        case .accepted: "accepted"
        case .recipientError(let code, _): "recipientError \(code)"
        case .unavailable: "unavailable"
        case .throttled(let retryAfter, _): "throttled \(retryAfter.map { "\($0.components.seconds)" } ?? "-")"
        case .ambiguous: "ambiguous"
        }
    }
}
