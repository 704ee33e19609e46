/// `bind_transmitter`, `bind_receiver` or `bind_transceiver` (section 4.1): the ESME's login.
public struct BindRequest: Equatable, Sendable {
    /// Octets allowed for `system_id`, NUL included (15 characters).
    public static let systemIDMaxLength = 16
    /// Octets allowed for `password`, NUL included (8 characters).
    public static let passwordMaxLength = 9
    /// Octets allowed for `system_type`, NUL included.
    public static let systemTypeMaxLength = 13
    /// Octets allowed for `address_range`, NUL included.
    public static let addressRangeMaxLength = 41

    /// The bind command: transmitter, receiver or transceiver.
    public var mode: BindMode
    /// `system_id`: the account name.
    public var systemID: String
    /// `password`. Never logged.
    public var password: String
    /// `system_type`: often empty; some carriers require a value.
    public var systemType: String
    /// `interface_version`: 0x34 for SMPP 3.4.
    public var interfaceVersion: UInt8
    /// `addr_ton`.
    public var addressTON: UInt8
    /// `addr_npi`.
    public var addressNPI: UInt8
    /// `address_range`: the addresses a receiver serves; usually empty.
    public var addressRange: String

    public init(
        mode: BindMode,
        systemID: String,
        password: String,
        systemType: String = "",
        interfaceVersion: UInt8 = 0x34,
        addressTON: UInt8 = 0,
        addressNPI: UInt8 = 0,
        addressRange: String = ""
    ) {
        self.mode = mode
        self.systemID = systemID
        self.password = password
        self.systemType = systemType
        self.interfaceVersion = interfaceVersion
        self.addressTON = addressTON
        self.addressNPI = addressNPI
        self.addressRange = addressRange
    }

    init(mode: BindMode, reading reader: inout PDUReader) throws(PDUDecodingError) {
        self.mode = mode
        systemID = try reader.readCOctetString(maxLength: Self.systemIDMaxLength, field: "system_id")
        password = try reader.readCOctetString(maxLength: Self.passwordMaxLength, field: "password")
        systemType = try reader.readCOctetString(maxLength: Self.systemTypeMaxLength, field: "system_type")
        interfaceVersion = try reader.readUInt8(field: "interface_version")
        addressTON = try reader.readUInt8(field: "addr_ton")
        addressNPI = try reader.readUInt8(field: "addr_npi")
        addressRange = try reader.readCOctetString(maxLength: Self.addressRangeMaxLength, field: "address_range")
        try reader.expectEnd(of: mode.requestID)
    }

    func write(to writer: inout PDUWriter) {
        writer.writeCOctetString(systemID)
        writer.writeCOctetString(password)
        writer.writeCOctetString(systemType)
        writer.writeUInt8(interfaceVersion)
        writer.writeUInt8(addressTON)
        writer.writeUInt8(addressNPI)
        writer.writeCOctetString(addressRange)
    }
}
