/// The `message_state` values of SMPP 3.4 (section 5.2.28), as carried by the TLV of that name
/// and named by the `stat:` word of a receipt's text.
public enum SMPPMessageState: UInt8, Sendable, CaseIterable {
    /// `ENROUTE` (1): on its way.
    case enroute = 1
    /// `DELIVERED` (2), `stat:DELIVRD`.
    case delivered = 2
    /// `EXPIRED` (3), `stat:EXPIRED`: its validity period passed.
    case expired = 3
    /// `DELETED` (4), `stat:DELETED`.
    case deleted = 4
    /// `UNDELIVERABLE` (5), `stat:UNDELIV`.
    case undeliverable = 5
    /// `ACCEPTED` (6), `stat:ACCEPTD`: read on the subscriber's behalf.
    case accepted = 6
    /// `UNKNOWN` (7), `stat:UNKNOWN`: the state is not known.
    case unknown = 7
    /// `REJECTED` (8), `stat:REJECTD`.
    case rejected = 8

    /// Maps the seven-letter `stat:` word of a receipt's text; `nil` for vendor words like `FAILED`.
    public init?(stat: String) {
        switch stat.uppercased() {
        case "ENROUTE": self = .enroute
        case "DELIVRD": self = .delivered
        case "EXPIRED": self = .expired
        case "DELETED": self = .deleted
        case "UNDELIV": self = .undeliverable
        case "ACCEPTD": self = .accepted
        case "UNKNOWN": self = .unknown
        case "REJECTD": self = .rejected
        default: return nil
        }
    }

    /// The receipt text's word for this state.
    public var stat: String {
        switch self {
        case .enroute: "ENROUTE"
        case .delivered: "DELIVRD"
        case .expired: "EXPIRED"
        case .deleted: "DELETED"
        case .undeliverable: "UNDELIV"
        case .accepted: "ACCEPTD"
        case .unknown: "UNKNOWN"
        case .rejected: "REJECTD"
        }
    }

    /// Whether no further receipt is expected for the message.
    public var isFinal: Bool {
        switch self {
        case .delivered, .expired, .deleted, .undeliverable, .accepted, .rejected: true
        case .enroute, .unknown: false
        }
    }
}
