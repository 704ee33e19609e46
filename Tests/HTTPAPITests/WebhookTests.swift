import Diagnostics
import Foundation
import Gateway
import Testing

@testable import HTTPAPI

@Suite struct WebhookTests {
    /// The form body below, signed with the test's Twilio auth token over
    /// https://lifeline.example.org/gateway/webhooks/twilio; computed independently with
    /// Python's hmac and hashlib (base64 of HMAC-SHA1 over the URL and the sorted fields).
    static let body =
        "MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=undelivered&ErrorCode=30003"
        + "&AccountSid=AC0123456789abcdef0123456789abcdef&To=%2B447700900123"
    static let signature = "qsV3dch/r7KjV7JxeyYC01F+CJc="
    static let form = [("Content-Type", "application/x-www-form-urlencoded")]

    /// A correctly signed status callback reaches the report handler with the Twilio provider's id.
    @Test func signedTwilioCallbackIsHandled() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/webhooks/twilio",
            body: Array(Self.body.utf8),
            headers: Self.form + [("X-Twilio-Signature", Self.signature)]
        )

        #expect(response.status == 204)
        let reports = await server.recorder.reports
        #expect(
            reports == [
                DeliveryReport(
                    providerID: "twilio-main",
                    providerMessageID: "SM0123456789abcdef0123456789abcdef",
                    status: .undelivered,
                    reason: "undelivered err:30003"
                )
            ]
        )
    }

    /// A tampered body, a wrong signature or none at all is 403, reaches no handler, and the log
    /// line never carries the auth token.
    @Test(arguments: [
        (body.replacingOccurrences(of: "undelivered", with: "delivered"), Optional(signature)),
        (body, Optional("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
        (body, nil),
    ])
    func badSignatureIsForbidden(body: String, signature: String?) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        var headers = Self.form
        if let signature { headers.append(("X-Twilio-Signature", signature)) }

        let response = try await server.send("POST", "/webhooks/twilio", body: Array(body.utf8), headers: headers)

        #expect(response.status == 403)
        #expect(response.errorCode == "invalid_signature")
        #expect(await server.recorder.reports.isEmpty)
        let logged = server.logs.records.filter { $0.message.contains("Twilio") }
        #expect(!logged.isEmpty)
        #expect(!logged.contains { "\($0.message) \($0.metadata)".contains(APITestServer.twilioAuthToken) })
    }

    /// Vonage receipts arrive as a form, JSON or a GET query and all reach the handler.
    @Test(arguments: ["form", "json", "query"])
    func vonageReceiptIsHandled(shape: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response: RawResponse
        switch shape {
        case "form":
            response = try await server.send(
                "POST",
                "/webhooks/vonage",
                body: Array("messageId=0A0000001234&status=delivered&err-code=0&api-key=abcd1234".utf8),
                headers: Self.form
            )
        case "json":
            response = try await server.send(
                "POST",
                "/webhooks/vonage",
                json: ["messageId": "0A0000001234", "status": "delivered", "err-code": "0"]
            )
        default:
            response = try await server.send("GET", "/webhooks/vonage?messageId=0A0000001234&status=delivered")
        }

        #expect(response.status == 204)
        #expect(
            await server.recorder.reports == [
                DeliveryReport(
                    providerID: "vonage-backup",
                    providerMessageID: "0A0000001234",
                    status: .delivered,
                    reason: "delivered"
                )
            ]
        )
    }

    /// A Vonage receipt without a message id is 422 naming the field.
    @Test func vonageReceiptWithoutIDIsRejected() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/webhooks/vonage",
            body: Array("status=delivered".utf8),
            headers: Self.form
        )

        #expect(response.status == 422)
        #expect(response.errorField == "messageId")
        #expect(await server.recorder.reports.isEmpty)
    }
}

@Suite struct WebhookConfigurationTests {
    /// Without http.public_url the Twilio webhook is 404 and the server warns once at start.
    @Test func twilioWithoutPublicURLIsNotConfigured() async throws {
        let server = try await APITestServer.start(host: "localhost", publicURL: nil)
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/webhooks/twilio",
            body: Array(WebhookTests.body.utf8),
            headers: WebhookTests.form + [("X-Twilio-Signature", WebhookTests.signature)]
        )

        #expect(response.status == 404)
        #expect(response.errorCode == "webhook_not_configured")
        #expect(server.logs.records.contains { $0.level == .warning && $0.message.contains("http.public_url") })
        #expect(await server.recorder.reports.isEmpty)
    }
}
