import Foundation

/// Checks the `X-Twilio-Signature` header of a webhook request.
///
/// Twilio signs with the account's auth token, also when messages are sent with an API key.
/// The signed text is the full URL Twilio called (scheme, host, port if any, path, query). For a
/// form POST, every parameter follows, sorted by name and then by value, each as name followed
/// by value. A name and value that repeat exactly are signed once, as the `RequestValidator` of
/// Twilio's Python library does. The signature is the base64 of HMAC-SHA1 over that text. The
/// URL must be the public one configured at Twilio, not the one a reverse proxy forwards to.
/// JSON bodies (signed through a `bodySHA256` query parameter) are not handled.
public struct TwilioSignature: Sendable {
    private let key: [UInt8]

    public init(authToken: String) {
        key = Array(authToken.utf8)
    }

    /// Computes the signature Twilio would send for this request.
    /// - Parameter parameters: the decoded POST fields; repeated names are sorted by value too,
    ///   and an exact repeat of a name and value counts once. Byte order of UTF-8 is code point
    ///   order, the order Twilio sorts in.
    public func expectedSignature(url: String, parameters: [FormField]) -> String {
        let sorted = parameters.map { (name: Array($0.name.utf8), value: Array($0.value.utf8)) }.sorted { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.lexicographicallyPrecedes(rhs.name) }
            return lhs.value.lexicographicallyPrecedes(rhs.value)
        }
        var text = Array(url.utf8)
        var previous: (name: [UInt8], value: [UInt8])?
        for field in sorted {
            if let previous, previous.name == field.name, previous.value == field.value { continue }
            text += field.name
            text += field.value
            previous = field
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
