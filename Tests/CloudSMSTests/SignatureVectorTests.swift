import Foundation
import Testing

@testable import CloudSMS

/// Lifeline's signatures against implementations it shares no code with, computed at test time by
/// Tests/Peers/signature_vectors.py: botocore's SigV4Auth for AWS, and Python's hmac and hashlib
/// following Twilio's and Vonage's published algorithms.
@Suite struct SignatureVectorTests {
    /// 2026-01-02T03:04:05Z, a fixed signing time.
    static let date = Date(timeIntervalSince1970: 1_767_323_045)
    static let amzDate = "20260102T030405Z"

    /// One case for the script and the value Lifeline computed for it.
    struct Vector {
        var name: String
        var input: [String: Any]
        var lifeline: String
    }

    /// Runs the script over every vector and returns its results in order.
    private func independent(_ vectors: [Vector]) async throws -> [String] {
        let input = try JSONSerialization.data(withJSONObject: vectors.map(\.input))
        let (status, output) = try await PeerServer.run(script: "signature_vectors.py", input: input)
        try #require(status == 0, "signature_vectors.py exited with \(status)")
        return try #require(try JSONSerialization.jsonObject(with: output) as? [String])
    }

    private func pairs(_ fields: [FormField]) -> [[String]] {
        fields.map { [$0.name, $0.value] }
    }

    private func sigv4(_ name: String, _ request: HTTPRequest, credentials: AWSSignatureV4.Credentials, region: String) -> Vector {
        var input: [String: Any] = [
            "kind": "sigv4", "method": request.method.rawValue, "url": request.url,
            "headers": request.headers.map { [$0.name, $0.value] }, "body": String(decoding: request.body, as: UTF8.self),
            "access_key_id": credentials.accessKeyID, "secret_access_key": credentials.secretAccessKey,
            "region": region, "service": "sns", "amz_date": Self.amzDate,
        ]
        if let token = credentials.sessionToken { input["session_token"] = token }
        return Vector(name: name, input: input, lifeline: request.headerValue(named: "Authorization") ?? "")
    }

    private func snsVectors() -> [Vector] {
        let key = AWSSignatureV4.Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")
        let temporary = AWSSignatureV4.Credentials(
            accessKeyID: "ASIAIOSFODNN7EXAMPLE",
            secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes="
        )
        let cases: [(String, AWSSignatureV4.Credentials, String, String?, String, String)] = [
            ("regional endpoint", key, "eu-west-2", nil, "+447700900123", "Fire drill at 11:00"),
            ("endpoint with a port", key, "us-east-1", "http://127.0.0.1:4566", "+15005550006", "Gate B"),
            ("session token", temporary, "ap-southeast-2", nil, "+61491570156", "Évacuation — salle 3 & 4 = 100%"),
            ("empty text", key, "eu-central-1", "https://sns.eu-central-1.amazonaws.com", "+4915112345678", ""),
        ]
        return cases.map { name, credentials, region, endpoint, recipient, text in
            let settings = SNSSettings(credentials: credentials, region: region, endpoint: endpoint, senderID: "Campus")
            let client = SNSClient(settings: settings, http: HTTPClient(logger: .disabled), logger: .disabled)
            let request = client.makeRequest(to: recipient, body: text, date: Self.date)
            return sigv4("SigV4 \(name)", request, credentials: credentials, region: region)
        }
    }

    private func twilioVectors() -> [Vector] {
        let token = "12345f00dfeedbeef0123456789abcde"
        let cases: [(String, String, [FormField])] = [
            (
                "status callback",
                "https://lifeline.example.org/webhooks/twilio",
                [
                    FormField(name: "MessageSid", value: "SM0123456789abcdef0123456789abcdef"),
                    FormField(name: "MessageStatus", value: "delivered"),
                    FormField(name: "AccountSid", value: "AC0123456789abcdef0123456789abcdef"),
                    FormField(name: "To", value: "+447700900123"),
                ]
            ),
            (
                "port, query and non-ASCII",
                "https://gw.example.org:8443/base/webhooks/twilio?site=hall%20b",
                [
                    FormField(name: "Body", value: "Réunion à 10h & café"),
                    FormField(name: "ErrorCode", value: "30003"),
                    FormField(name: "From", value: "+15005550006"),
                    FormField(name: "a", value: "lower-case sorts after upper-case"),
                ]
            ),
            ("no parameters", "http://127.0.0.1:8080/webhooks/twilio", []),
        ]
        return cases.map { name, url, fields in
            Vector(
                name: "Twilio \(name)",
                input: ["kind": "twilio", "url": url, "params": pairs(fields), "auth_token": token],
                lifeline: TwilioSignature(authToken: token).expectedSignature(url: url, parameters: fields)
            )
        }
    }

    private func vonageVectors() -> [Vector] {
        let secret = "VonageSignatureSecret0123456789abcdef"
        let fields = [
            FormField(name: "msisdn", value: "447700900123"),
            FormField(name: "to", value: "Campus"),
            FormField(name: "network-code", value: "23410"),
            FormField(name: "messageId", value: "0A0000001234ABCD"),
            FormField(name: "price", value: "0.03330000"),
            FormField(name: "status", value: "delivered"),
            FormField(name: "scts", value: "2601020304"),
            FormField(name: "err-code", value: "0"),
            FormField(name: "api-key", value: "abcd1234"),
            FormField(name: "client-ref", value: "id=42&retry=1"),
            FormField(name: "message-timestamp", value: "2026-01-02 03:04:05"),
            FormField(name: "timestamp", value: "1767323045"),
            FormField(name: "sig", value: "ignored-by-both"),
        ]
        return VonageSignature.Method.allCases.map { method in
            Vector(
                name: "Vonage \(method.rawValue)",
                input: ["kind": "vonage", "params": pairs(fields), "secret": secret, "method": method.rawValue],
                lifeline: VonageSignature(secret: secret, method: method).expectedSignature(parameters: fields)
            )
        }
    }

    /// Every SigV4 Authorization header, Twilio signature and Vonage sig equals the independent value.
    @Test func signaturesMatchIndependentImplementations() async throws {
        let vectors = snsVectors() + twilioVectors() + vonageVectors()
        let expected = try await independent(vectors)
        try #require(expected.count == vectors.count)
        for (vector, value) in zip(vectors, expected) {
            #expect(vector.lifeline == value, "\(vector.name)")
        }
    }

    /// The comparison can fail: one changed byte in the signed text gives a different value.
    @Test func tamperedInputDiffers() async throws {
        var vectors = twilioVectors().prefix(1) + vonageVectors().suffix(1)
        for index in vectors.indices {
            vectors[index].input["params"] = [["MessageStatus", "failed"]]
        }
        let expected = try await independent(Array(vectors))
        for (vector, value) in zip(vectors, expected) {
            #expect(vector.lifeline != value, "\(vector.name)")
        }
    }
}
