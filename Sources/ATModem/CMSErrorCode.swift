/// A `+CMS ERROR` code with its meaning and handling class.
///
/// Codes 0-127 are RP-causes (TS 24.011 8.2.5.4), 128-255 TP-failure causes (TS 23.040
/// 9.2.3.22), 300-500 the message service failures of TS 27.005 3.2.5, and 512 and above are
/// manufacturer specific. Codes missing from the tables keep their number and get the class
/// `unknown`.
public struct CMSErrorCode: Sendable, Hashable, CustomStringConvertible {
    /// The numeric code, as in `+CMS ERROR: 330`.
    public let code: Int

    public init(_ code: Int) {
        self.code = code
    }

    /// The meaning from the standard, or a description of the range for codes it does not list.
    public var meaning: String {
        if let entry = CMSErrorCode.table[code] { return entry.meaning }
        switch code {
        case 0...127: return "unassigned RP-cause \(code) (treated as unspecified)"
        case 128...255: return "unassigned TP-failure cause \(code)"
        case 512...: return "manufacturer specific error \(code)"
        default: return "reserved error \(code)"
        }
    }

    /// The handling class of this code.
    public var errorClass: ModemErrorClass {
        CMSErrorCode.table[code]?.errorClass ?? .unknown
    }

    public var description: String { "+CMS ERROR: \(code) (\(meaning))" }

    /// Maps verbose text (`+CMS ERROR: SMSC address unknown` with `AT+CMEE=2`) back to its code.
    ///
    /// Matching ignores case and surrounding spaces; returns `nil` for text no table entry has.
    public init?(verbose text: String) {
        guard let code = CMSErrorCode.codesByMeaning[ModemErrorText.normalised(text)] else { return nil }
        self.code = code
    }

    private static let codesByMeaning: [String: Int] = {
        var result: [String: Int] = [:]
        for (code, entry) in table where code >= 300 {
            result[ModemErrorText.normalised(entry.meaning)] = code
        }
        return result
    }()

    static let table: [Int: ModemErrorEntry] = {
        var table: [Int: ModemErrorEntry] = [:]
        for (code, meaning, errorClass) in rpCauses + tpFailureCauses + serviceFailures {
            table[code] = ModemErrorEntry(meaning: meaning, errorClass: errorClass)
        }
        return table
    }()

    /// RP-causes of TS 24.011 8.2.5.4, as an MS receives them for a mobile-originated message.
    private static let rpCauses: [(Int, String, ModemErrorClass)] = [
        (1, "unassigned (unallocated) number", .recipientError),
        (8, "operator determined barring", .providerUnavailable),
        (10, "call barred", .providerUnavailable),
        (21, "short message transfer rejected", .recipientError),
        (27, "destination out of service", .transient),
        (28, "unidentified subscriber", .recipientError),
        (29, "facility rejected", .providerUnavailable),
        (30, "unknown subscriber", .recipientError),
        (38, "network out of order", .transient),
        (41, "temporary failure", .transient),
        (42, "congestion", .transient),
        (47, "resources unavailable, unspecified", .transient),
        (50, "requested facility not subscribed", .providerUnavailable),
        (69, "requested facility not implemented", .providerUnavailable),
        (81, "invalid short message transfer reference value", .badRequest),
        (95, "invalid message, unspecified", .badRequest),
        (96, "invalid mandatory information", .badRequest),
        (97, "message type non-existent or not implemented", .badRequest),
        (98, "message not compatible with short message protocol state", .badRequest),
        (99, "information element non-existent or not implemented", .badRequest),
        (111, "protocol error, unspecified", .badRequest),
        (127, "interworking, unspecified", .unknown),
    ]

    /// TP-failure causes of TS 23.040 9.2.3.22, which TS 27.005 reuses for codes 128-255.
    private static let tpFailureCauses: [(Int, String, ModemErrorClass)] = [
        (128, "telematic interworking not supported", .badRequest),
        (129, "short message type 0 not supported", .badRequest),
        (130, "cannot replace short message", .badRequest),
        (143, "unspecified TP-PID error", .badRequest),
        (144, "data coding scheme (alphabet) not supported", .badRequest),
        (145, "message class not supported", .badRequest),
        (159, "unspecified TP-DCS error", .badRequest),
        (160, "command cannot be actioned", .badRequest),
        (161, "command unsupported", .badRequest),
        (175, "unspecified TP-command error", .badRequest),
        (176, "TPDU not supported", .badRequest),
        (192, "SC busy", .transient),
        (193, "no SC subscription", .providerUnavailable),
        (194, "SC system failure", .transient),
        (195, "invalid SME address", .recipientError),
        (196, "destination SME barred", .recipientError),
        (197, "SM rejected-duplicate SM", .badRequest),
        (198, "TP-VPF not supported", .badRequest),
        (199, "TP-VP not supported", .badRequest),
        (208, "SIM SMS storage full", .transient),
        (209, "no SMS storage capability in SIM", .configuration),
        (210, "error in MS", .providerUnavailable),
        (211, "memory capacity exceeded", .transient),
        (212, "SIM application toolkit busy", .transient),
        (213, "SIM data download error", .unknown),
        (255, "unspecified error cause", .unknown),
    ]

    /// Message service failure results of TS 27.005 3.2.5.
    private static let serviceFailures: [(Int, String, ModemErrorClass)] = [
        (300, "ME failure", .providerUnavailable),
        (301, "SMS service of ME reserved", .providerUnavailable),
        (302, "operation not allowed", .badRequest),
        (303, "operation not supported", .badRequest),
        (304, "invalid PDU mode parameter", .badRequest),
        (305, "invalid text mode parameter", .badRequest),
        (310, "SIM not inserted", .providerUnavailable),
        (311, "SIM PIN required", .configuration),
        (312, "PH-SIM PIN required", .configuration),
        (313, "SIM failure", .providerUnavailable),
        (314, "SIM busy", .transient),
        (315, "SIM wrong", .providerUnavailable),
        (316, "SIM PUK required", .configuration),
        (317, "SIM PIN2 required", .configuration),
        (318, "SIM PUK2 required", .configuration),
        (320, "memory failure", .providerUnavailable),
        (321, "invalid memory index", .badRequest),
        (322, "memory full", .transient),
        (330, "SMSC address unknown", .configuration),
        (331, "no network service", .transient),
        (332, "network timeout", .transient),
        (340, "no +CNMA acknowledgement expected", .badRequest),
        (500, "unknown error", .unknown),
    ]
}

/// One row of an error table.
struct ModemErrorEntry: Sendable {
    let meaning: String
    let errorClass: ModemErrorClass
}

/// Text helpers shared by the CMS and CME tables.
enum ModemErrorText {
    /// Lower-cased, trimmed, inner runs of spaces folded: the key verbose texts are matched by.
    static func normalised(_ text: String) -> String {
        text.lowercased()
            .split(whereSeparator: { $0 == " " || $0 == "\t" })
            .joined(separator: " ")
    }
}
