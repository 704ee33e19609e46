/// `deliver_sm_resp` (section 4.6.2): the ESME's response to one `deliver_sm`.
///
/// `message_id` is unused in SMPP 3.4 and sent as a single NUL; an SMSC that omits the body
/// entirely still decodes.
public struct DeliverSMResponse: Equatable, Sendable {
    /// `message_id`; empty.
    public var messageID: String

    public init(messageID: String = "") {
        self.messageID = messageID
    }

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        guard reader.remaining > 0 else {
            messageID = ""
            return
        }
        messageID = try reader.readCOctetString(maxLength: SubmitSMResponse.messageIDMaxLength, field: "message_id")
        _ = try reader.readTLVs()
    }

    func write(to writer: inout PDUWriter) {
        writer.writeCOctetString(messageID)
    }
}
