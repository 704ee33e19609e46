/// An SMSC delivery receipt: the text of SMPP 3.4 Appendix B and the receipt TLVs of a `deliver_sm`.
///
/// The text is only an example in the spec, and vendors vary it. So the parser reads the fields in
/// any order and accepts missing `sub:`/`dlvrd:`, ids up to 65 characters, dates with or without
/// seconds, and vendor words (`stat:FAILED`, `err:null`). Everything after `text:` (or
/// `Text:`) is the original message's start and is never searched for fields. When the PDU carries
/// `receipted_message_id`, `message_state` or `network_error_code`, those win over the text.
public struct DeliveryReceipt: Equatable, Sendable {
    /// The SMSC's id of the message this receipt is about, as written by the SMSC.
    public var messageID: String
    /// `sub:`: how many messages were submitted; `nil` when absent.
    public var submitted: Int?
    /// `dlvrd:`: how many were delivered; `nil` when absent.
    public var delivered: Int?
    /// `submit date:`; `nil` when absent or all zeros.
    public var submitDate: ReceiptDate?
    /// `done date:`; `nil` when absent or all zeros.
    public var doneDate: ReceiptDate?
    /// `stat:` as written, for example `DELIVRD` or a vendor word like `FAILED`.
    public var stat: String?
    /// The `message_state` TLV when present, else the state `stat:` names; `nil` for vendor words.
    public var messageState: SMPPMessageState?
    /// `err:` as written (`000`, `null`, …).
    public var error: String?
    /// The `network_error_code` TLV.
    public var networkErrorCode: NetworkErrorCode?
    /// `text:`: the first characters of the original message; `nil` when the field is absent.
    public var text: String?
    /// The receipt's `source_addr`: the handset, which was the original message's
    /// `destination_addr`. `nil` when read from text alone or when the SMSC left it empty.
    public var sourceAddress: String?
    /// The receipt's `destination_addr`: the original message's `source_addr`. `nil` when read
    /// from text alone or when the SMSC left it empty.
    public var destinationAddress: String?

    /// The receipt's class for delivery tracking.
    public enum Status: String, Sendable, Equatable {
        /// The handset received the message.
        case delivered
        /// Final and not delivered: expired, deleted, undeliverable, rejected.
        case undelivered
        /// Not final yet: enroute, accepted by the next hop.
        case pending
        /// No state the spec defines (a vendor word, `UNKNOWN`); never taken as delivered.
        case unknown
    }

    public init(
        messageID: String,
        submitted: Int? = nil,
        delivered: Int? = nil,
        submitDate: ReceiptDate? = nil,
        doneDate: ReceiptDate? = nil,
        stat: String? = nil,
        messageState: SMPPMessageState? = nil,
        error: String? = nil,
        networkErrorCode: NetworkErrorCode? = nil,
        text: String? = nil
    ) {
        self.messageID = messageID
        self.submitted = submitted
        self.delivered = delivered
        self.submitDate = submitDate
        self.doneDate = doneDate
        self.stat = stat
        self.messageState = messageState
        self.error = error
        self.networkErrorCode = networkErrorCode
        self.text = text
    }

    /// Whether no further receipt is expected.
    public var isFinal: Bool { messageState?.isFinal ?? false }

    /// The receipt's class for delivery tracking.
    public var status: Status {
        switch messageState {
        case .delivered: .delivered
        case .expired, .deleted, .undeliverable, .rejected: .undelivered
        case .enroute, .accepted: .pending
        case .unknown, nil: .unknown
        }
    }

    /// Parses the receipt text alone.
    ///
    /// - Throws: `DeliveryReceiptError.missingMessageID` when there is no `id:` field.
    public init(parsing receiptText: String) throws(DeliveryReceiptError) {
        var fields = ReceiptTextFields(receiptText)
        guard let messageID = fields.take("id"), !messageID.isEmpty else {
            throw .missingMessageID(text: String(receiptText.prefix(80)))
        }
        let stat = fields.take("stat")
        self.init(
            messageID: messageID,
            submitted: fields.take("sub").flatMap { Int($0) },
            delivered: fields.take("dlvrd").flatMap { Int($0) },
            submitDate: fields.take("submit date").flatMap(ReceiptDate.init(digits:)),
            doneDate: fields.take("done date").flatMap(ReceiptDate.init(digits:)),
            stat: stat,
            messageState: stat.flatMap(SMPPMessageState.init(stat:)),
            error: fields.take("err"),
            text: fields.text
        )
    }

    /// Reads a receipt from a `deliver_sm`, letting its TLVs win over the text.
    ///
    /// A receipt with `receipted_message_id` and an unreadable or empty text still succeeds.
    /// - Throws: `DeliveryReceiptError.notAReceipt` when `esm_class` is not a receipt, or
    ///   `missingMessageID` when neither the TLV nor the text names the message.
    public init(deliverSM: DeliverSM) throws(DeliveryReceiptError) {
        guard deliverSM.isDeliveryReceipt else { throw .notAReceipt(esmClass: deliverSM.esmClass) }
        let payload =
            deliverSM.shortMessage.isEmpty ? (deliverSM.parameters.messagePayload ?? []) : deliverSM.shortMessage
        let receiptText = String(decoding: payload, as: UTF8.self)
        var receipt: DeliveryReceipt
        do {
            receipt = try DeliveryReceipt(parsing: receiptText)
        } catch {
            guard let tlvID = deliverSM.parameters.receiptedMessageID, !tlvID.isEmpty else { throw error }
            receipt = DeliveryReceipt(messageID: tlvID)
        }
        if let tlvID = deliverSM.parameters.receiptedMessageID, !tlvID.isEmpty {
            receipt.messageID = tlvID
        }
        if let state = deliverSM.parameters.messageState {
            receipt.messageState = state
        }
        if let networkError = deliverSM.parameters.networkErrorCode {
            receipt.networkErrorCode = networkError
        }
        receipt.sourceAddress = deliverSM.sourceAddress.isEmpty ? nil : deliverSM.sourceAddress
        receipt.destinationAddress = deliverSM.destinationAddress.isEmpty ? nil : deliverSM.destinationAddress
        self = receipt
    }

    /// The receipt text in the SMPP 3.4 Appendix B form, as an SMSC would write it.
    public var formattedText: String {
        func digits(_ date: ReceiptDate?) -> String {
            guard let date else { return "0000000000" }
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            var text = two(date.year % 100) + two(date.month) + two(date.day) + two(date.hour) + two(date.minute)
            if let second = date.second { text += two(second) }
            return text
        }
        func three(_ value: Int?) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, 3 - text.count)) + text
        }
        return "id:\(messageID) sub:\(three(submitted)) dlvrd:\(three(delivered))"
            + " submit date:\(digits(submitDate)) done date:\(digits(doneDate))"
            + " stat:\(stat ?? messageState?.stat ?? "UNKNOWN") err:\(error ?? "000") text:\(text ?? "")"
    }
}

/// A reason a `deliver_sm` could not be read as a receipt.
public enum DeliveryReceiptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `esm_class` does not mark an SMSC delivery receipt; the PDU is an inbound SMS.
    case notAReceipt(esmClass: UInt8)
    /// Neither `receipted_message_id` nor an `id:` field names the message; `text` is the receipt's start.
    case missingMessageID(text: String)

    public var description: String {
        switch self {
        case .notAReceipt(let esmClass):
            "esm_class 0x\(String(esmClass, radix: 16)) is not a delivery receipt"
        case .missingMessageID(let text):
            "receipt has no id: field and no receipted_message_id TLV: \(text)"
        }
    }
}

/// Splits receipt text into `key:value` fields, stopping at `text:`.
///
/// Keys are matched case-insensitively at word starts. A value runs to the next space, except
/// after `text:`, which takes the rest of the line.
struct ReceiptTextFields {
    private static let keys = ["submit date", "done date", "dlvrd", "stat", "text", "sub", "err", "id"]

    private var values: [String: String] = [:]
    /// Everything after `text:`; `nil` when there is no such field.
    private(set) var text: String?

    init(_ receiptText: String) {
        var rest = Substring(receiptText)
        while !rest.isEmpty {
            rest = rest.drop(while: { $0 == " " })
            guard let key = Self.keys.first(where: { rest.lowercased().hasPrefix($0 + ":") }) else {
                // Unknown word: skip it.
                rest = rest.drop(while: { $0 != " " })
                continue
            }
            rest = rest.dropFirst(key.count + 1)
            if key == "text" {
                text = String(rest)
                return
            }
            let value = rest.prefix(while: { $0 != " " })
            if values[key] == nil { values[key] = String(value) }
            rest = rest.dropFirst(value.count)
        }
    }

    /// Returns the value of `key` (lowercase) when present.
    mutating func take(_ key: String) -> String? {
        values[key]
    }
}
