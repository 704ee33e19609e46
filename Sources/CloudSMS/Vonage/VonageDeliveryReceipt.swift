import Foundation

/// One delivery receipt Vonage sends to the receipt webhook.
///
/// Vonage sends receipts as a GET query, a form POST or a JSON POST, depending on the account's
/// webhook settings. Each form has the same field names. Check the request's origin (signed
/// webhooks or a secret in the URL) before trusting it.
public struct VonageDeliveryReceipt: Sendable, Equatable {
    /// The message part this receipt is for (`messageId`), as returned by `VonageClient.send`.
    public var messageID: String
    /// `status`: delivered, expired, failed, rejected, accepted, buffered or unknown.
    public var status: String
    /// `err-code`: "0" for none.
    public var errorCode: String?
    /// `client-ref`, when the message was sent with one.
    public var clientReference: String?
    /// `api-key` of the account that sent the message.
    public var apiKey: String?

    /// Reads the receipt's fields from a query string or form body.
    /// - Throws: `VonageReceiptError.missingField` without `messageId` or `status`.
    public init(fields: [FormField]) throws(VonageReceiptError) {
        var values: [String: String] = [:]
        for field in fields { values[field.name] = field.value }
        try self.init(values: values)
    }

    /// Reads a JSON receipt body.
    /// - Throws: `VonageReceiptError.malformedJSON` when the body is not a JSON object.
    public init(json body: [UInt8]) throws(VonageReceiptError) {
        try self.init(fields: try Self.fields(json: body))
    }

    /// Returns the string and number members of a JSON receipt as fields, for reading and for
    /// checking a signature. Other members (objects, arrays, null) are left out.
    /// - Throws: `VonageReceiptError.malformedJSON` when the body is not a JSON object.
    public static func fields(json body: [UInt8]) throws(VonageReceiptError) -> [FormField] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw .malformedJSON
        }
        var fields: [FormField] = []
        for (key, value) in object {
            if let text = value as? String {
                fields.append(FormField(name: key, value: text))
            } else if let number = value as? NSNumber {
                fields.append(FormField(name: key, value: number.stringValue))
            }
        }
        return fields
    }

    private init(values: [String: String]) throws(VonageReceiptError) {
        guard let id = values["messageId"], !id.isEmpty else { throw .missingField("messageId") }
        guard let status = values["status"], !status.isEmpty else { throw .missingField("status") }
        messageID = id
        self.status = status
        errorCode = values["err-code"]
        clientReference = values["client-ref"]
        apiKey = values["api-key"]
    }

    /// `delivered` is delivered; `expired`, `failed` and `rejected` are final failures; everything
    /// else, `unknown` included, is pending and never counts as delivered.
    public var deliveryStatus: CloudDeliveryStatus {
        switch status {
        case "delivered": .delivered
        case "expired", "failed", "rejected": .undelivered
        default: .pending
        }
    }

    /// The words for the event row: `failed err:5`.
    public var reason: String {
        guard let errorCode, errorCode != "0" else { return status }
        return "\(status) err:\(errorCode)"
    }
}

/// A Vonage delivery receipt that could not be read.
public enum VonageReceiptError: Error, Sendable, Equatable {
    /// A required field is absent or empty; carries its name.
    case missingField(String)
    /// A JSON receipt whose body is not a JSON object.
    case malformedJSON
}
