/// `bind_transmitter_resp`, `bind_receiver_resp` or `bind_transceiver_resp` (section 4.1).
///
/// SMPP 3.4 omits the body of an error response, yet many SMSCs send the empty `system_id`
/// anyway: both forms decode, with `systemID` empty.
public struct BindResponse: Equatable, Sendable {
    /// The bind command this response belongs to.
    public var mode: BindMode
    /// `system_id`: the SMSC's name.
    public var systemID: String
    /// Optional parameters, for example `sc_interface_version`.
    public var parameters: [TLV]

    public init(mode: BindMode, systemID: String, parameters: [TLV] = []) {
        self.mode = mode
        self.systemID = systemID
        self.parameters = parameters
    }

    init(mode: BindMode, reading reader: inout PDUReader) throws(PDUDecodingError) {
        self.mode = mode
        guard reader.remaining > 0 else {
            systemID = ""
            parameters = []
            return
        }
        systemID = try reader.readCOctetString(maxLength: BindRequest.systemIDMaxLength, field: "system_id")
        parameters = try reader.readTLVs()
    }

    func write(to writer: inout PDUWriter) {
        writer.writeCOctetString(systemID)
        writer.writeTLVs(parameters)
    }
}
