/// The `command_id` of an SMPP 3.4 PDU (section 5.1.2.1).
///
/// A struct rather than an enum, so that an unknown id still decodes and gets a `generic_nack`
/// response. Response ids are the request id with bit 31 set.
public struct CommandID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `generic_nack`.
    public static let genericNack = CommandID(rawValue: 0x8000_0000)
    /// `bind_receiver`.
    public static let bindReceiver = CommandID(rawValue: 0x0000_0001)
    /// `bind_receiver_resp`.
    public static let bindReceiverResponse = CommandID(rawValue: 0x8000_0001)
    /// `bind_transmitter`.
    public static let bindTransmitter = CommandID(rawValue: 0x0000_0002)
    /// `bind_transmitter_resp`.
    public static let bindTransmitterResponse = CommandID(rawValue: 0x8000_0002)
    /// `query_sm`. Not supported, so it gets a `generic_nack` response.
    public static let querySM = CommandID(rawValue: 0x0000_0003)
    /// `submit_sm`.
    public static let submitSM = CommandID(rawValue: 0x0000_0004)
    /// `submit_sm_resp`.
    public static let submitSMResponse = CommandID(rawValue: 0x8000_0004)
    /// `deliver_sm`.
    public static let deliverSM = CommandID(rawValue: 0x0000_0005)
    /// `deliver_sm_resp`.
    public static let deliverSMResponse = CommandID(rawValue: 0x8000_0005)
    /// `unbind`.
    public static let unbind = CommandID(rawValue: 0x0000_0006)
    /// `unbind_resp`.
    public static let unbindResponse = CommandID(rawValue: 0x8000_0006)
    /// `bind_transceiver`.
    public static let bindTransceiver = CommandID(rawValue: 0x0000_0009)
    /// `bind_transceiver_resp`.
    public static let bindTransceiverResponse = CommandID(rawValue: 0x8000_0009)
    /// `outbind`.
    public static let outbind = CommandID(rawValue: 0x0000_000B)
    /// `enquire_link`.
    public static let enquireLink = CommandID(rawValue: 0x0000_0015)
    /// `enquire_link_resp`.
    public static let enquireLinkResponse = CommandID(rawValue: 0x8000_0015)
    /// `data_sm`. Not supported, so it gets a `generic_nack` response.
    public static let dataSM = CommandID(rawValue: 0x0000_0103)

    /// Whether this id names a response (bit 31 set).
    public var isResponse: Bool { rawValue & 0x8000_0000 != 0 }

    /// The spec's name, for example `submit_sm_resp`, or the id in hex when unknown.
    public var description: String {
        switch self {
        case .genericNack: "generic_nack"
        case .bindReceiver: "bind_receiver"
        case .bindReceiverResponse: "bind_receiver_resp"
        case .bindTransmitter: "bind_transmitter"
        case .bindTransmitterResponse: "bind_transmitter_resp"
        case .querySM: "query_sm"
        case .submitSM: "submit_sm"
        case .submitSMResponse: "submit_sm_resp"
        case .deliverSM: "deliver_sm"
        case .deliverSMResponse: "deliver_sm_resp"
        case .unbind: "unbind"
        case .unbindResponse: "unbind_resp"
        case .bindTransceiver: "bind_transceiver"
        case .bindTransceiverResponse: "bind_transceiver_resp"
        case .outbind: "outbind"
        case .enquireLink: "enquire_link"
        case .enquireLinkResponse: "enquire_link_resp"
        case .dataSM: "data_sm"
        default: "0x" + hex8(rawValue)
        }
    }
}

/// Renders a 32-bit value as eight uppercase hex digits.
func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
