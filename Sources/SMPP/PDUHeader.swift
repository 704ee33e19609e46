/// The 16-octet header every SMPP PDU starts with (section 3.2).
public struct PDUHeader: Equatable, Sendable {
    /// The header's size in octets; also the smallest valid `command_length`.
    public static let length = 16

    /// `command_length`: the whole PDU in octets, header included.
    public var commandLength: UInt32
    /// `command_id`.
    public var commandID: CommandID
    /// `command_status`; zero in requests.
    public var commandStatus: CommandStatus
    /// `sequence_number`; a response echoes its request's.
    public var sequenceNumber: UInt32

    public init(commandLength: UInt32, commandID: CommandID, commandStatus: CommandStatus, sequenceNumber: UInt32) {
        self.commandLength = commandLength
        self.commandID = commandID
        self.commandStatus = commandStatus
        self.sequenceNumber = sequenceNumber
    }

    /// Reads the header from the first 16 octets of `bytes`; `nil` when fewer are present.
    public init?(peeking bytes: some Collection<UInt8>) {
        guard bytes.count >= Self.length else { return nil }
        let head = Array(bytes.prefix(Self.length))
        func word(_ index: Int) -> UInt32 {
            UInt32(head[index]) << 24 | UInt32(head[index + 1]) << 16 | UInt32(head[index + 2]) << 8
                | UInt32(head[index + 3])
        }
        self.init(
            commandLength: word(0),
            commandID: CommandID(rawValue: word(4)),
            commandStatus: CommandStatus(rawValue: word(8)),
            sequenceNumber: word(12)
        )
    }
}
