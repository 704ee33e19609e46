import Foundation

/// Sorts Twilio's responses to a message create into `CloudSendResult` classes.
///
/// Pure: it reads status, headers and body only, so every case is testable without a server.
enum TwilioResponseClassifier {
    /// Twilio error codes that mean "this recipient cannot get this message", returned with 400:
    /// 21211 invalid To number, 21408 region not enabled for the account, 21610 recipient
    /// unsubscribed (STOP), 21612 To not reachable from this sender, 21614 To is not a mobile number.
    static let recipientErrorCodes: Set<Int> = [21211, 21408, 21610, 21612, 21614]
    /// 20003 authentication failed, 20404 resource (the account) not found.
    static let accountErrorCodes: Set<Int> = [20003, 20404]
    /// 20429 too many requests.
    static let throttledCode = 20429

    static func classify(_ response: HTTPResponse, now: Date = Date()) -> CloudSendResult {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let code = (json?["code"] as? NSNumber)?.intValue
        let message = maskingPhoneNumbers(in: json?["message"] as? String ?? "")
        let described = describe(status: response.status, code: code, message: message)

        if response.status == 429 || code == throttledCode {
            return .throttled(retryAfter: RetryAfter.parse(response.headerValue(named: "Retry-After"), now: now), reason: described)
        }
        if (200..<300).contains(response.status) {
            guard let json else { return .ambiguous(reason: "Twilio returned HTTP \(response.status) without a JSON body") }
            guard let sid = json["sid"] as? String, !sid.isEmpty else {
                return .ambiguous(reason: "Twilio returned HTTP \(response.status) without a message sid")
            }
            return .accepted(id: sid)
        }
        if response.status == 401 || response.status == 403 || code.map(accountErrorCodes.contains) == true {
            return .unavailable(reason: "Twilio rejected the account: \(described)")
        }
        if response.status == 400, let code, recipientErrorCodes.contains(code) {
            return .recipientError(code: "\(code)", message: message.isEmpty ? described : message)
        }
        if json == nil, !response.body.isEmpty {
            return .unavailable(reason: "\(described), body is not JSON")
        }
        return .unavailable(reason: described)
    }

    /// Failures without a response: connection-setup problems are `unavailable`, the rest
    /// `ambiguous` once the request may have left.
    static func classify(_ error: HTTPClientError) -> CloudSendResult {
        if case .bodyTooLarge(let status, let limit) = error.code {
            let reason = "Twilio returned HTTP \(status) with a body over \(limit) bytes"
            return error.classification == .ambiguous ? .ambiguous(reason: reason) : .unavailable(reason: reason)
        }
        switch error.classification {
        case .unavailable: return .unavailable(reason: "Twilio unreachable: \(error)")
        case .ambiguous: return .ambiguous(reason: "Twilio did not respond: \(error)")
        }
    }

    private static func describe(status: Int, code: Int?, message: String) -> String {
        var text = "HTTP \(status)"
        if let code { text += " code \(code)" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }
}
