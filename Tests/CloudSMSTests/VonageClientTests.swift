import Diagnostics
import Foundation
import Testing

@testable import CloudSMS

@Suite struct VonageClientTests {
    private func client(_ fake: CloudFake, http: HTTPClient, secret: String = CloudFake.vonageSecret, logger: Logger = .disabled)
        -> VonageClient
    {
        let settings = VonageSettings(
            apiKey: CloudFake.vonageKey,
            apiSecret: secret,
            sender: "Lifeline",
            baseURL: fake.baseURL,
            deliveryReceiptURL: "https://gateway.example.org/webhooks/vonage"
        )
        return VonageClient(settings: settings, http: http, logger: logger)
    }

    /// A send is accepted with Vonage's message-id, and the request conforms to the SMS API description with the
    /// number written without its plus.
    @Test func acceptedWithMessageID() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let result = await client(fake, http: http).send(to: "+447700900123", body: "Gate B opens at 10:00", clientReference: "42")
        guard case .accepted(let id) = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        #expect(id.count == 16)

        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
        #expect(record.auth == "ok")
        #expect(record.fields["to"] == "447700900123")
        #expect(record.fields["type"] == "text")
        #expect(record.fields["client-ref"] == "42")
        #expect(record.fields["callback"] == "https://gateway.example.org/webhooks/vonage")
    }

    /// Text outside plain GSM ASCII goes as `type=unicode` and arrives intact.
    @Test func unicodeTextIsMarked() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        _ = await client(fake, http: http).send(to: "+12025550143", body: "Räumung ✅ {sofort}")
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
        #expect(record.fields["type"] == "unicode")
        #expect(record.fields["text"] == "Räumung ✅ {sofort}")
    }

    /// Each scripted status lands in its class; a wrong secret is unavailable.
    @Test(arguments: [
        ("+15005550001", CloudFake.vonageSecret, "recipientError 6"),
        ("+15005550007", CloudFake.vonageSecret, "recipientError 7"),
        ("+15005550004", CloudFake.vonageSecret, "throttled -"),
        ("+15005550005", CloudFake.vonageSecret, "unavailable"),
        ("+15005550006", CloudFake.vonageSecret, "ambiguous"),
        ("+15005550010", CloudFake.vonageSecret, "ambiguous"),
        ("+447700900123", "wrong-secret", "unavailable"),
    ])
    func scriptedStatuses(recipient: String, secret: String, expected: String) async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let result = await client(fake, http: http, secret: secret).send(to: recipient, body: "scripted")
        #expect(TwilioClientTests.summary(result) == expected, "\(result)")
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
    }

    /// The API secret, the full number and the text stay out of every log line.
    @Test func secretsStayOutOfLogs() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "cloud", level: .trace, handler: handler)
        let http = try HTTPClient(logger: logger)
        _ = await client(fake, http: http, logger: logger).send(to: "+447700900123", body: "secret meeting point")
        _ = await client(fake, http: http, logger: logger).send(to: "+15005550001", body: "secret meeting point")
        let lines = handler.records.map { StdoutLogHandler.format($0, prefixesPriority: false) }
        #expect(lines.count >= 4)
        for line in lines {
            for secret in [CloudFake.vonageSecret, "447700900123", "15005550001", "secret meeting"] {
                #expect(!line.contains(secret), "\(line)")
            }
        }
    }

    /// The GSM check lets plain text through and sends everything else as unicode.
    @Test(arguments: [
        ("Meet at gate B, 10:00 (bring ID)!", true),
        ("Line one\nLine two", true),
        ("Café", false),
        ("a[b]", false),
        ("100% ~ish", false),
        ("", true),
    ])
    func detectsPlainGSMText(text: String, plain: Bool) {
        #expect(VonageClient.isPlainGSMText(text) == plain)
    }
}

@Suite struct VonageDeliveryReceiptTests {
    /// Each receipt status maps to delivered, undelivered or pending, from a query string and from JSON.
    @Test(arguments: [
        ("delivered", "0", CloudDeliveryStatus.delivered, "delivered"),
        ("expired", "5", .undelivered, "expired err:5"),
        ("failed", "2", .undelivered, "failed err:2"),
        ("rejected", "6", .undelivered, "rejected err:6"),
        ("accepted", "0", .pending, "accepted"),
        ("buffered", "0", .pending, "buffered"),
        ("unknown", "99", .pending, "unknown err:99"),
    ])
    func mapsStatus(status: String, errorCode: String, expected: CloudDeliveryStatus, reason: String) throws {
        let query = "msisdn=447700900000&to=Lifeline&network-code=23410&messageId=0A0000001234567B&price=0.03330000"
            + "&status=\(status)&scts=2001011400&err-code=\(errorCode)&api-key=abcd1234&client-ref=42"
            + "&message-timestamp=2020-01-01+12%3A00%3A00"
        let fromQuery = try VonageDeliveryReceipt(fields: try FormEncoding.decode(query))
        let json = #"{"msisdn": "447700900000", "messageId": "0A0000001234567B", "status": "\#(status)", "err-code": "\#(errorCode)", "client-ref": "42", "api-key": "abcd1234"}"#
        let fromJSON = try VonageDeliveryReceipt(json: Array(json.utf8))
        for receipt in [fromQuery, fromJSON] {
            #expect(receipt.messageID == "0A0000001234567B")
            #expect(receipt.deliveryStatus == expected)
            #expect(receipt.reason == reason)
            #expect(receipt.clientReference == "42")
            #expect(receipt.apiKey == "abcd1234")
        }
    }

    /// A receipt without an id or status, or JSON that is not an object, is rejected.
    @Test func rejectsMalformed() {
        #expect(throws: VonageReceiptError.missingField("messageId")) {
            try VonageDeliveryReceipt(fields: [FormField(name: "status", value: "delivered")])
        }
        #expect(throws: VonageReceiptError.missingField("status")) {
            try VonageDeliveryReceipt(fields: [FormField(name: "messageId", value: "0A1")])
        }
        #expect(throws: VonageReceiptError.malformedJSON) { try VonageDeliveryReceipt(json: Array("[1]".utf8)) }
    }
}
