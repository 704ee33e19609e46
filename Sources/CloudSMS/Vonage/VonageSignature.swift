/// Checks the `sig` parameter of a signed Vonage SMS API callback, such as a delivery receipt.
///
/// With signed webhooks turned on for an API key, Vonage adds `timestamp` and `sig` to every
/// callback. The signed text is every parameter but `sig`, sorted by name, written as
/// `&name=value` with each `&` and `=` inside a value replaced by `_`. The signature is the
/// lower-case hex of an HMAC over that text keyed with the signature secret, or, for the
/// `md5hash` method, the MD5 of the text followed by the secret.
///
/// The `timestamp` is signed but its age is not checked: replaying a receipt only repeats a state
/// the gateway already recorded, and a box whose clock drifted would otherwise reject every
/// receipt. The Messages API's JWT-signed webhooks are a different scheme and are not handled.
public struct VonageSignature: Sendable {
    /// The signature methods Vonage's dashboard offers, named as they are configured.
    public enum Method: String, Sendable, CaseIterable {
        /// MD5 of the text and the secret ("MD5 hash" in the dashboard).
        case md5hash
        /// HMAC-MD5.
        case md5
        /// HMAC-SHA1.
        case sha1
        /// HMAC-SHA256.
        case sha256
        /// HMAC-SHA512.
        case sha512
    }

    /// The name of the parameter that carries the signature.
    public static let parameterName = "sig"

    private let secret: [UInt8]
    public let method: Method

    public init(secret: String, method: Method) {
        self.secret = Array(secret.utf8)
        self.method = method
    }

    /// Computes the signature Vonage would send for these parameters; a `sig` among them is skipped.
    public func expectedSignature(parameters: [FormField]) -> String {
        let text = Array(Self.signedText(parameters).utf8)
        let digest: [UInt8] =
            switch method {
            case .md5hash: HMAC.md5(text + secret)
            case .md5: HMAC.md5(key: secret, message: text)
            case .sha1: HMAC.sha1(key: secret, message: text)
            case .sha256: HMAC.sha256(key: secret, message: text)
            case .sha512: HMAC.sha512(key: secret, message: text)
            }
        return HMAC.hex(digest)
    }

    /// Checks the `sig` among `parameters` in constant time, ignoring the case of its hex digits.
    /// A missing or empty `sig` is invalid.
    public func isValid(parameters: [FormField]) -> Bool {
        guard let signature = Self.signature(in: parameters) else { return false }
        let expected = expectedSignature(parameters: parameters)
        return HMAC.constantTimeEquals(Array(expected.utf8), Array(signature.lowercased().utf8))
    }

    /// Returns the non-empty `sig` among `parameters`, if there is one.
    public static func signature(in parameters: [FormField]) -> String? {
        guard let value = parameters.last(where: { $0.name == parameterName })?.value, !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The text that is hashed: `&name=value` for each parameter but `sig`, sorted by name.
    static func signedText(_ parameters: [FormField]) -> String {
        parameters
            .filter { $0.name != parameterName }
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { field in
                let value = String(field.value.map { $0 == "&" || $0 == "=" ? "_" : $0 })
                return "&\(field.name)=\(value)"
            }
            .joined()
    }
}
