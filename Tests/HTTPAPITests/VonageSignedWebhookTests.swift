import Config
import Diagnostics
import Foundation
import Gateway
import Testing

@testable import HTTPAPI

/// Vonage delivery receipts when the providers have signature secrets (signed webhooks).
///
/// Every `sig` below was computed independently with Python's hashlib and hmac: the parameters
/// but `sig` sorted by name as `&name=value`, then HMAC-SHA256 keyed with the secret for
/// `vonage-signed`, and MD5 of the text followed by the secret for `vonage-legacy`.
@Suite struct VonageSignedWebhookTests {
    static let signedSecret = "vonage-sig-secret-0123456789"
    static let legacySecret = "legacy-sig-secret-9876543210"
    static let form = [("Content-Type", "application/x-www-form-urlencoded")]
    static let formBody =
        "messageId=0A0000001234&status=delivered&err-code=0&api-key=abcd1234&timestamp=1767323045"
    static let formSig = "685d17c0df6e9053ec575d0c1feaf225333cb1a36d77f93eef581c460a71bc20"
    static let query =
        "messageId=0B0000005678&status=failed&err-code=5&api-key=efgh5678&timestamp=1767323045"
    static let querySig = "477df571422625ac552f10850b8cfc5e"
    static let jsonSig = "d763ee24a9a99a1b86b8e469f98358db6062bdf32d0bbbce597a9e9784352119"

    /// Two Vonage accounts, each with a signature secret and its own method.
    static func config() -> LifelineConfig {
        var config = APITestServer.config()
        config.providers = [
            ProviderSettings(
                id: "vonage-signed",
                kind: .vonage(
                    Config.VonageSettings(
                        apiKey: "abcd1234",
                        apiSecret: Secret("vonage-secret-123"),
                        from: "Lifeline",
                        signatureSecret: Secret(signedSecret),
                        signatureMethod: .sha256
                    )
                )
            ),
            ProviderSettings(
                id: "vonage-legacy",
                kind: .vonage(
                    Config.VonageSettings(
                        apiKey: "efgh5678",
                        apiSecret: Secret("vonage-secret-456"),
                        from: "Lifeline",
                        signatureSecret: Secret(legacySecret)
                    )
                )
            ),
        ]
        return config
    }

    /// Signed receipts as a form, a GET query and JSON reach the handler, each with the provider its
    /// api-key names and that provider's signature method.
    @Test func signedReceiptsAreHandled() async throws {
        let server = try await APITestServer.start(config: Self.config())
        defer { Task { await server.shutdown() } }

        let form = try await server.send(
            "POST",
            "/webhooks/vonage",
            body: Array("\(Self.formBody)&sig=\(Self.formSig)".utf8),
            headers: Self.form
        )
        let query = try await server.send("GET", "/webhooks/vonage?\(Self.query)&sig=\(Self.querySig.uppercased())")
        let json = try await server.send(
            "POST",
            "/webhooks/vonage",
            json: [
                "messageId": "0A0000009999", "status": "expired", "err-code": "0", "api-key": "abcd1234",
                "timestamp": "1767323045", "sig": Self.jsonSig,
            ]
        )

        #expect(form.status == 204)
        #expect(query.status == 204)
        #expect(json.status == 204)
        #expect(
            await server.recorder.reports == [
                DeliveryReport(providerID: "vonage-signed", providerMessageID: "0A0000001234", status: .delivered, reason: "delivered"),
                DeliveryReport(providerID: "vonage-legacy", providerMessageID: "0B0000005678", status: .undelivered, reason: "failed err:5"),
                DeliveryReport(providerID: "vonage-signed", providerMessageID: "0A0000009999", status: .undelivered, reason: "expired"),
            ]
        )
    }

    /// A tampered receipt, a wrong sig, a sig made for the other provider's method, or no sig at
    /// all is 403 with a JSON error naming the fix; no report is made and no log line contains a secret.
    @Test(arguments: [
        ("tampered", formBody.replacingOccurrences(of: "delivered", with: "failed") + "&sig=\(formSig)", "does not match"),
        ("wrong sig", formBody + "&sig=" + String(repeating: "0", count: 64), "does not match"),
        ("wrong key", formBody.replacingOccurrences(of: "abcd1234", with: "efgh5678") + "&sig=\(formSig)", "does not match"),
        ("empty sig", formBody + "&sig=", "turn on signed webhooks"),
        ("no sig", formBody, "turn on signed webhooks"),
    ])
    func badSignatureIsUnauthorized(name: String, body: String, hint: String) async throws {
        let server = try await APITestServer.start(config: Self.config())
        defer { Task { await server.shutdown() } }

        let response = try await server.send("POST", "/webhooks/vonage", body: Array(body.utf8), headers: Self.form)

        #expect(response.status == 403, "\(name)")
        #expect(response.errorCode == "signature_rejected", "\(name)")
        #expect(response.errorField == "sig", "\(name)")
        let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains(hint), "\(name): \(message)")
        #expect(message.contains("signature_secret"), "\(name): \(message)")
        #expect(await server.recorder.reports.isEmpty, "\(name)")
        let logged = server.logs.records.filter { $0.message.contains("Vonage") }
        #expect(!logged.isEmpty, "\(name)")
        for record in logged {
            let line = "\(record.message) \(record.metadata)"
            #expect(!line.contains(Self.signedSecret), "\(line)")
            #expect(!line.contains(Self.legacySecret), "\(line)")
        }
    }

    /// The signature is checked before the receipt is read, so an unsigned receipt missing a field
    /// is 403, not 422, and reveals nothing about what a valid one needs.
    @Test func unsignedIncompleteReceiptIsUnauthorized() async throws {
        let server = try await APITestServer.start(config: Self.config())
        defer { Task { await server.shutdown() } }

        let response = try await server.send("POST", "/webhooks/vonage", body: Array("status=delivered".utf8), headers: Self.form)

        #expect(response.status == 403)
        #expect(await server.recorder.reports.isEmpty)
    }
}
