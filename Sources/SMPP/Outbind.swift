/// `outbind` (section 4.1.7): the SMSC requests that the ESME bind as a receiver. It has no response.
public struct Outbind: Equatable, Sendable {
    /// `system_id`: the SMSC's name.
    public var systemID: String
    /// `password` the ESME should check. Never logged.
    public var password: String

    public init(systemID: String, password: String) {
        self.systemID = systemID
        self.password = password
    }

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        systemID = try reader.readCOctetString(maxLength: BindRequest.systemIDMaxLength, field: "system_id")
        password = try reader.readCOctetString(maxLength: BindRequest.passwordMaxLength, field: "password")
        try reader.expectEnd(of: .outbind)
    }

    func write(to writer: inout PDUWriter) {
        writer.writeCOctetString(systemID)
        writer.writeCOctetString(password)
    }
}
