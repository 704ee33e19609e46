/// `submit_sm_resp` (section 4.4.2): the SMSC's response to one `submit_sm`.
///
/// On `ESME_ROK` it carries the SMSC's `message_id`, which later receipts name. An error
/// response may omit the body; it then decodes with an empty `messageID`.
public struct SubmitSMResponse: Equatable, Sendable {
    /// Octets allowed for `message_id`, NUL included.
    public static let messageIDMaxLength = 65

    /// `message_id`: the SMSC's id for the message; empty on error.
    public var messageID: String

    public init(messageID: String) {
        self.messageID = messageID
    }

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        guard reader.remaining > 0 else {
            messageID = ""
            return
        }
        messageID = try reader.readCOctetString(maxLength: Self.messageIDMaxLength, field: "message_id")
        // SMPP 5.0 SMSCs may add TLVs; they are read for their lengths and dropped.
        _ = try reader.readTLVs()
    }

    func write(to writer: inout PDUWriter) {
        writer.writeCOctetString(messageID)
    }
}
