/// TP-VP of an SMS-SUBMIT (TS 23.040 section 9.2.3.12): how long the SMSC keeps trying.
public enum ValidityPeriod: Sendable, Hashable {
    /// One octet relative to submission (TP-VPF 10).
    case relative(RelativeValidityPeriod)
    /// An absolute time (TP-VPF 11).
    case absolute(ServiceCentreTimestamp)
    /// The enhanced format's seven octets, kept as sent (TP-VPF 01). When encoding, fewer octets
    /// are padded with 0x00 and octets past the seventh are left out, so the TPDU stays well formed.
    case enhanced([UInt8])

    /// The TP-VPF bits for the first octet (bits 4-3).
    var formatBits: UInt8 {
        switch self {
        case .relative: return 0x10
        case .absolute: return 0x18
        case .enhanced: return 0x08
        }
    }

    var encoded: [UInt8] {
        switch self {
        case .relative(let period): return [period.rawValue]
        case .absolute(let timestamp): return timestamp.encoded
        case .enhanced(let octets): return Array((octets + [UInt8](repeating: 0, count: 7)).prefix(7))
        }
    }
}

/// The one-octet relative validity period: 5-minute steps to 12 hours, 30-minute steps to
/// 24 hours, then days to 30 days, then weeks to 63 weeks.
public struct RelativeValidityPeriod: Sendable, Hashable, Codable {
    /// The TP-VP octet.
    public var rawValue: UInt8

    /// Wraps a TP-VP octet.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Chooses the shortest period the octet can express that is at least `seconds`, capped at 63 weeks.
    public init(atLeast seconds: Int) {
        let minutes = (max(seconds, 0) + 59) / 60
        switch minutes {
        case ...720:
            rawValue = UInt8(max((minutes + 4) / 5 - 1, 0))
        case ...1_440:
            rawValue = UInt8(143 + (minutes - 720 + 29) / 30)
        case ...(30 * 1_440):
            rawValue = UInt8(166 + (minutes + 1_439) / 1_440)
        default:
            rawValue = UInt8(min(192 + (minutes + 10_079) / 10_080, 255))
        }
    }

    /// The period in seconds.
    public var seconds: Int {
        let value = Int(rawValue)
        switch value {
        case 0...143: return (value + 1) * 5 * 60
        case 144...167: return 12 * 3_600 + (value - 143) * 30 * 60
        case 168...196: return (value - 166) * 86_400
        default: return (value - 192) * 7 * 86_400
        }
    }
}
