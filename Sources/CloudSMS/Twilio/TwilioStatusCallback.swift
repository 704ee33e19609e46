/// One status callback Twilio posts to a message's `StatusCallback` URL.
///
/// Parse it only after `TwilioSignature` has accepted the request. Fields other than the ones
/// below are ignored, so Twilio adding fields breaks nothing.
public struct TwilioStatusCallback: Sendable, Equatable {
    /// `MessageStatus` values. Twilio documents more states over time; unknown ones are kept in `other`.
    public enum MessageStatus: Sendable, Equatable {
        case accepted, scheduled, queued, sending, sent, delivered, undelivered, failed, canceled, read
        case other(String)

        init(_ text: String) {
            switch text {
            case "accepted": self = .accepted
            case "scheduled": self = .scheduled
            case "queued": self = .queued
            case "sending": self = .sending
            case "sent": self = .sent
            case "delivered": self = .delivered
            case "undelivered": self = .undelivered
            case "failed": self = .failed
            case "canceled": self = .canceled
            case "read": self = .read
            default: self = .other(text)
            }
        }
    }

    /// The message (`MessageSid`, `SM…`), as returned by `TwilioClient.send`.
    public var messageSID: String
    public var messageStatus: MessageStatus
    /// Twilio's error code (`ErrorCode`, for example 30003 unreachable handset) on `undelivered`
    /// and `failed`; nil when absent or empty.
    public var errorCode: Int?
    /// `AccountSid`, for a receiver serving several accounts.
    public var accountSID: String?

    /// Reads the decoded fields of the callback's form body.
    /// - Throws: `TwilioCallbackError` when `MessageSid` or `MessageStatus` is missing or
    ///   `ErrorCode` is not a number.
    public init(fields: [FormField]) throws(TwilioCallbackError) {
        func value(_ name: String) -> String? {
            fields.last { $0.name == name }?.value
        }
        guard let sid = value("MessageSid") ?? value("SmsSid"), !sid.isEmpty else { throw .missingField("MessageSid") }
        guard let status = value("MessageStatus") ?? value("SmsStatus"), !status.isEmpty else {
            throw .missingField("MessageStatus")
        }
        messageSID = sid
        messageStatus = MessageStatus(status)
        accountSID = value("AccountSid")
        if let code = value("ErrorCode"), !code.isEmpty {
            guard let number = Int(code) else { throw .invalidErrorCode(code) }
            errorCode = number
        } else {
            errorCode = nil
        }
    }

    /// Decodes an `application/x-www-form-urlencoded` body and reads it.
    /// - Throws: `TwilioCallbackError.malformedBody` for a broken encoding, or as `init(fields:)`.
    public init(formBody: String) throws(TwilioCallbackError) {
        let fields: [FormField]
        do {
            fields = try FormEncoding.decode(formBody)
        } catch {
            throw .malformedBody(error)
        }
        try self.init(fields: fields)
    }

    /// `delivered` is delivered; `undelivered`, `failed` and `canceled` are final failures;
    /// everything else, `sent` included, is still pending.
    public var deliveryStatus: CloudDeliveryStatus {
        switch messageStatus {
        case .delivered, .read: .delivered
        case .undelivered, .failed, .canceled: .undelivered
        default: .pending
        }
    }

    /// The words for the event row: `undelivered err:30003`.
    public var reason: String {
        let status =
            switch messageStatus {
            case .other(let text): text
            default: "\(messageStatus)"
            }
        return errorCode.map { "\(status) err:\($0)" } ?? status
    }
}

/// An error reading a Twilio status callback.
public enum TwilioCallbackError: Error, Sendable, Equatable {
    /// A required field is absent or empty; carries its name.
    case missingField(String)
    /// `ErrorCode` is not an integer; carries the value.
    case invalidErrorCode(String)
    /// The form body is not valid `application/x-www-form-urlencoded`.
    case malformedBody(FormDecodingError)
}
