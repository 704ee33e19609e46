import Foundation

/// A message a provider received for this box (a reply, a keyword, a test from a handset),
/// complete and decoded, as any provider hands it to the store.
///
/// Provider-neutral: a modem fills it from SMS-DELIVER PDUs, an SMPP link from `deliver_sm`.
/// A concatenated message arrives here once, joined, with the number of parts it took.
public struct InboundMessage: Sendable, Equatable, Codable {
    /// When the provider received it (the last part, for a concatenated message).
    public var receivedAt: Date
    /// The id of the provider from the config.
    public var providerID: String
    /// The originating address: E.164 with `+`, national digits, or an alphanumeric name.
    public var sender: String
    /// The decoded text; empty for 8-bit data that is no text.
    public var text: String
    /// When the SMSC received it (TP-SCTS, or the SMPP `schedule_delivery_time` a link reports),
    /// when the provider gives it.
    public var smscTimestamp: Date?
    /// The number of SMS parts it took; 1 for a single message.
    public var parts: Int

    public init(
        receivedAt: Date,
        providerID: String,
        sender: String,
        text: String,
        smscTimestamp: Date? = nil,
        parts: Int = 1
    ) {
        self.receivedAt = receivedAt
        self.providerID = providerID
        self.sender = sender
        self.text = text
        self.smscTimestamp = smscTimestamp
        self.parts = parts
    }
}

/// An inbound message as stored, with its row id.
public struct InboundMessageRecord: Sendable, Equatable, Codable {
    /// The row id; later messages have larger ids.
    public var id: Int64
    public var message: InboundMessage

    public init(id: Int64, message: InboundMessage) {
        self.id = id
        self.message = message
    }
}
