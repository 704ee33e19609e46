import Foundation

/// Sorts Vonage SMS API responses into `CloudSendResult` classes.
///
/// Vonage returns HTTP 200 for most errors and puts a status code per message part in the body.
/// A reply with several parts is classed by its first part whose status is not "0".
enum VonageResponseClassifier {
    /// 6 invalid message (for example an unknown number prefix), 7 number barred, 33 number de-activated.
    static let recipientStatuses: Set<String> = ["6", "7", "33"]
    /// 1 throttled, 10 too many existing binds.
    static let throttledStatuses: Set<String> = ["1", "10"]

    static func classify(_ response: HTTPResponse) -> CloudSendResult {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        if response.status == 429 {
            return .throttled(retryAfter: RetryAfter.parse(response.headerValue(named: "Retry-After")), reason: "HTTP 429")
        }
        guard (200..<300).contains(response.status) else {
            return .unavailable(reason: "Vonage returned HTTP \(response.status)")
        }
        guard let parts = json?["messages"] as? [[String: Any]], !parts.isEmpty else {
            return .ambiguous(reason: "Vonage returned HTTP \(response.status) without message statuses")
        }

        if let failed = parts.first(where: { ($0["status"] as? String) != "0" }) {
            return classify(failedPart: failed)
        }
        guard let id = parts[0]["message-id"] as? String, !id.isEmpty else {
            return .ambiguous(reason: "Vonage accepted the message without a message-id")
        }
        return .accepted(id: id)
    }

    private static func classify(failedPart part: [String: Any]) -> CloudSendResult {
        let status = part["status"] as? String ?? "missing"
        let text = maskingPhoneNumbers(in: part["error-text"] as? String ?? "")
        let reason = "Vonage status \(status)" + (text.isEmpty ? "" : ": \(text)")
        if throttledStatuses.contains(status) {
            return .throttled(retryAfter: nil, reason: reason)
        }
        if recipientStatuses.contains(status) {
            return .recipientError(code: status, message: text.isEmpty ? reason : text)
        }
        return .unavailable(reason: reason)
    }

    /// Failures without a response, classed as the HTTP client classes them.
    static func classify(_ error: HTTPClientError) -> CloudSendResult {
        switch error.classification {
        case .unavailable: .unavailable(reason: "Vonage unreachable: \(error)")
        case .ambiguous: .ambiguous(reason: "Vonage did not respond: \(error)")
        }
    }
}
