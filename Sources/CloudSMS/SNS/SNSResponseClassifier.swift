import Foundation

/// Sorts SNS Query API responses (XML) into `CloudSendResult` classes.
///
/// Reads only the `MessageId`, `Code` and `Message` elements, by name, which is all these
/// replies need; it is not a general XML parser.
enum SNSResponseClassifier {
    /// Error codes that mean "slow down".
    static let throttledCodes: Set<String> = ["Throttling", "Throttled", "ThrottlingException", "RequestThrottled"]

    static func classify(_ response: HTTPResponse) -> CloudSendResult {
        let text = response.bodyText
        if (200..<300).contains(response.status) {
            guard let id = element("MessageId", in: text), !id.isEmpty else {
                return .ambiguous(reason: "SNS returned HTTP \(response.status) without a MessageId")
            }
            return .accepted(id: id)
        }

        let code = element("Code", in: text) ?? ""
        let message = maskingPhoneNumbers(in: element("Message", in: text) ?? "")
        let reason = "HTTP \(response.status)" + (code.isEmpty ? "" : " \(code)") + (message.isEmpty ? "" : ": \(message)")
        if response.status == 429 || throttledCodes.contains(code) {
            return .throttled(retryAfter: RetryAfter.parse(response.headerValue(named: "Retry-After")), reason: reason)
        }
        // SNS reports a number it will not publish to as InvalidParameter naming PhoneNumber.
        // moto's server returns the message "Phone number does not meet the E164 format".
        if code == "InvalidParameter" || code == "ParameterValueInvalid",
            message.contains("PhoneNumber") || message.lowercased().contains("phone number")
        {
            return .recipientError(code: code, message: message)
        }
        return .unavailable(reason: "SNS rejected the request: \(reason)")
    }

    /// Failures without a response, classed as the HTTP client classes them.
    static func classify(_ error: HTTPClientError) -> CloudSendResult {
        switch error.classification {
        case .unavailable: .unavailable(reason: "SNS unreachable: \(error)")
        case .ambiguous: .ambiguous(reason: "SNS did not respond: \(error)")
        }
    }

    /// Returns the text of the first `<name>` element with the five predefined entities decoded.
    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
