import Foundation

/// Checks the `X-Twilio-Signature` header of a webhook request.
///
/// Twilio signs with the account's auth token, also when messages are sent with an API key.
/// The signed text is the full URL Twilio called (scheme, host, port if any, path, query). For a
/// form POST, every parameter follows, sorted by name, each as name followed by value. The
/// signature is the base64 of HMAC-SHA1 over that text. The URL must be the public one configured at
/// Twilio, not the one a reverse proxy forwards to. JSON bodies (signed through a
/// `bodySHA256` query parameter) are not handled.
public struct TwilioSignature: Sendable {
    private let key: [UInt8]

    public init(authToken: String) {
        key = Array(authToken.utf8)
    }

    /// Computes the signature Twilio would send for this request.
    /// - Parameter parameters: the decoded POST fields; repeated names are sorted by value too.
    public func expectedSignature(url: String, parameters: [FormField]) -> String {
        let sorted = parameters.sorted { lhs, rhs in
            let left = Array(lhs.name.utf8)
            let right = Array(rhs.name.utf8)
            if left != right { return left.lexicographicallyPrecedes(right) }
            return Array(lhs.value.utf8).lexicographicallyPrecedes(Array(rhs.value.utf8))
        }
        var text = Array(url.utf8)
        for field in sorted {
            text += Array(field.name.utf8)
            text += Array(field.value.utf8)
        }
        return Data(HMAC.sha1(key: key, message: text)).base64EncodedString()
    }

    /// Checks whether `signature` matches, comparing in constant time. A missing or empty header is invalid.
    public func isValid(signature: String?, url: String, parameters: [FormField]) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        let expected = expectedSignature(url: url, parameters: parameters)
        return HMAC.constantTimeEquals(Array(expected.utf8), Array(signature.utf8))
    }
}
