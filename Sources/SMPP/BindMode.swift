/// The direction of message flow on a bind: one of the three bind commands of SMPP 3.4.
public enum BindMode: String, Sendable, CaseIterable {
    /// `bind_transmitter`: the ESME submits; no deliver_sm arrives.
    case transmitter
    /// `bind_receiver`: the SMSC delivers receipts and inbound SMS; no submits.
    case receiver
    /// `bind_transceiver`: both ways on one connection.
    case transceiver

    /// The request's `command_id`.
    public var requestID: CommandID {
        switch self {
        case .transmitter: .bindTransmitter
        case .receiver: .bindReceiver
        case .transceiver: .bindTransceiver
        }
    }

    /// The response's `command_id`.
    public var responseID: CommandID {
        CommandID(rawValue: requestID.rawValue | 0x8000_0000)
    }

    /// The mode a bind request or response id belongs to.
    public init?(commandID: CommandID) {
        switch CommandID(rawValue: commandID.rawValue & 0x7FFF_FFFF) {
        case .bindTransmitter: self = .transmitter
        case .bindReceiver: self = .receiver
        case .bindTransceiver: self = .transceiver
        default: return nil
        }
    }

    /// Whether submits may be sent on this bind.
    public var canSubmit: Bool { self != .receiver }
}
