import Foundation
import Testing

@testable import CloudSMS

/// Lifeline's signatures against the providers' own SDKs, run at test time by
/// Tests/Peers/signature_vectors.py: the twilio package's RequestValidator, the vonage package's
/// Client signature helper, and botocore's SigV4Auth for AWS.
@Suite struct SignatureVectorTests {
    /// 2026-01-02T03:04:05Z, a fixed signing time.
    static let date = Date(timeIntervalSince1970: 1_767_323_045)
    static let amzDate = "20260102T030405Z"
    static let twilioToken = "12345f00dfeedbeef0123456789abcde"
    static let vonageSecret = "VonageSignatureSecret0123456789abcdef"

    /// A signed webhook request as it reaches Lifeline.
    enum Callback {
        case twilio(url: String, fields: [FormField])
        case vonage(method: VonageSignature.Method, fields: [FormField])

        /// The signature Lifeline computes for this request.
        var lifelineSignature: String {
            switch self {
            case .twilio(let url, let fields):
                TwilioSignature(authToken: SignatureVectorTests.twilioToken).expectedSignature(url: url, parameters: fields)
            case .vonage(let method, let fields):
                VonageSignature(secret: SignatureVectorTests.vonageSecret, method: method).expectedSignature(parameters: fields)
            }
        }

        /// Returns whether Lifeline's webhook check accepts this request carrying `signature`.
        func lifelineAccepts(_ signature: String) -> Bool {
            switch self {
            case .twilio(let url, let fields):
                TwilioSignature(authToken: SignatureVectorTests.twilioToken).isValid(signature: signature, url: url, parameters: fields)
            case .vonage(let method, let fields):
                VonageSignature(secret: SignatureVectorTests.vonageSecret, method: method)
                    .isValid(parameters: fields.filter { $0.name != VonageSignature.parameterName } + [FormField(name: VonageSignature.parameterName, value: signature)])
            }
        }

        /// Returns the case for the script, which also has the SDK check `signature`.
        func input(signature: String) -> [String: Any] {
            switch self {
            case .twilio(let url, let fields):
                ["kind": "twilio", "url": url, "params": pairs(fields), "auth_token": SignatureVectorTests.twilioToken, "signature": signature]
            case .vonage(let method, let fields):
                ["kind": "vonage", "params": pairs(fields), "secret": SignatureVectorTests.vonageSecret, "method": method.rawValue, "signature": signature]
            }
        }

        /// Returns the same request with one byte changed, in the first field's value or, without fields, in the URL.
        func tampered() -> Callback {
            switch self {
            case .twilio(let url, let fields) where fields.isEmpty:
                .twilio(url: changingOneByte(url), fields: fields)
            case .twilio(let url, var fields):
                .twilio(url: url, fields: tamperingFirst(&fields))
            case .vonage(let method, var fields):
                .vonage(method: method, fields: tamperingFirst(&fields))
            }
        }

        private func tamperingFirst(_ fields: inout [FormField]) -> [FormField] {
            fields[0].value = changingOneByte(fields[0].value)
            return fields
        }

        /// Replaces the last ASCII byte of `text` with another one, or appends one when `text` has none.
        private func changingOneByte(_ text: String) -> String {
            var bytes = Array(text.utf8)
            guard let index = bytes.lastIndex(where: { $0 < 0x80 }) else { return text + "x" }
            bytes[index] = bytes[index] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
            return String(decoding: bytes, as: UTF8.self)
        }

        private func pairs(_ fields: [FormField]) -> [[String]] {
            fields.map { [$0.name, $0.value] }
        }
    }

    /// One case for the script and the value Lifeline computed for it.
    struct Vector {
        var name: String
        var input: [String: Any]
        var lifeline: String
        /// The webhook request, for Twilio and Vonage; nil for a SigV4 request Lifeline sends.
        var callback: Callback?
    }

    /// What the SDK returned for one case.
    struct SDKResult {
        var signature: String
        /// The SDK's verdict on the signature the case carried; nil when it carried none.
        var valid: Bool?
    }

    /// Runs the script over `inputs` and returns its results in order.
    private func sdk(_ inputs: [[String: Any]]) async throws -> [SDKResult] {
        let data = try JSONSerialization.data(withJSONObject: inputs)
        let (status, output) = try await PeerServer.run(script: "signature_vectors.py", input: data)
        try #require(status == 0, "signature_vectors.py exited with \(status)")
        let objects = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        try #require(objects.count == inputs.count)
        return try objects.map { object in
            SDKResult(signature: try #require(object["signature"] as? String), valid: object["valid"] as? Bool)
        }
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

    private func snsVectors() throws -> [Vector] {
        let http = try HTTPClient(logger: .disabled)
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
            let client = SNSClient(settings: settings, http: http, logger: .disabled)
            let request = client.makeRequest(to: recipient, body: text, date: Self.date)
            return sigv4("SigV4 \(name)", request, credentials: credentials, region: region)
        }
    }

    private func twilioVectors() -> [Vector] {
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
            (
                "repeated name",
                "https://lifeline.example.org/webhooks/twilio",
                [
                    FormField(name: "MediaUrl", value: "https://media.example.org/2"),
                    FormField(name: "NumMedia", value: "2"),
                    FormField(name: "MediaUrl", value: "https://media.example.org/1"),
                ]
            ),
            (
                // The SDK signs the sorted set of each name's values, so the second `Tag=urgent` counts once.
                "repeated name and value",
                "https://lifeline.example.org/webhooks/twilio",
                [
                    FormField(name: "Tag", value: "urgent"),
                    FormField(name: "MessageSid", value: "SM0123456789abcdef0123456789abcdef"),
                    FormField(name: "Tag", value: "drill"),
                    FormField(name: "Tag", value: "urgent"),
                ]
            ),
            ("no parameters", "http://127.0.0.1:8080/webhooks/twilio", []),
        ]
        return cases.map { name, url, fields in
            callbackVector("Twilio \(name)", .twilio(url: url, fields: fields))
        }
    }

    private func vonageVectors() -> [Vector] {
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
            callbackVector("Vonage \(method.rawValue)", .vonage(method: method, fields: fields))
        }
    }

    private func callbackVector(_ name: String, _ callback: Callback) -> Vector {
        let signature = callback.lifelineSignature
        return Vector(name: name, input: callback.input(signature: signature), lifeline: signature, callback: callback)
    }

    /// Every SigV4 Authorization header, Twilio signature and Vonage sig equals the SDK's value, the
    /// SDK's validator accepts Lifeline's Twilio and Vonage signatures, and Lifeline accepts the SDK's.
    @Test func signaturesMatchSDKs() async throws {
        let vectors = try snsVectors() + twilioVectors() + vonageVectors()
        let results = try await sdk(vectors.map(\.input))
        for (vector, result) in zip(vectors, results) {
            #expect(vector.lifeline == result.signature, "\(vector.name)")
            guard let callback = vector.callback else { continue }
            #expect(result.valid == true, "\(vector.name): the SDK rejects Lifeline's signature")
            #expect(callback.lifelineAccepts(result.signature), "\(vector.name): Lifeline rejects the SDK's signature")
        }
    }

    /// With one byte of a callback changed, the SDK rejects Lifeline's signature of the original,
    /// Lifeline rejects the SDK's, and both still agree on the changed request's signature.
    @Test func tamperedCallbacksAreRejected() async throws {
        let vectors = (twilioVectors() + vonageVectors()).compactMap { vector in vector.callback.map { (vector, $0) } }
        try #require(!vectors.isEmpty)
        let tampered = vectors.map { $1.tampered() }
        let inputs = vectors.map(\.0.input) + zip(vectors, tampered).map { vector, changed in changed.input(signature: vector.0.lifeline) }
        let results = try await sdk(inputs)
        for (index, (vector, _)) in vectors.enumerated() {
            let original = results[index]
            let changed = results[vectors.count + index]
            #expect(changed.valid == false, "\(vector.name): the SDK accepts a tampered request")
            #expect(!tampered[index].lifelineAccepts(original.signature), "\(vector.name): Lifeline accepts a tampered request")
            #expect(changed.signature != vector.lifeline, "\(vector.name)")
            #expect(changed.signature == tampered[index].lifelineSignature, "\(vector.name)")
        }
    }
}
