/// A `+CME ERROR` code with its meaning and handling class (TS 27.007 9.2).
///
/// Codes missing from the table keep their number and get the class `unknown`.
public struct CMEErrorCode: Sendable, Hashable, CustomStringConvertible {
    /// The numeric code, as in `+CME ERROR: 14`.
    public let code: Int

    public init(_ code: Int) {
        self.code = code
    }

    /// `+CME ERROR: 14`: the SIM is still busy, typically for a few seconds after PIN entry.
    public static let simBusy = CMEErrorCode(14)
    /// `+CME ERROR: 11`: the SIM waits for its PIN.
    public static let simPINRequired = CMEErrorCode(11)

    /// The meaning from TS 27.007, or a generic text for codes it does not list.
    public var meaning: String {
        CMEErrorCode.table[code]?.meaning ?? "unlisted error \(code)"
    }

    /// The handling class of this code.
    public var errorClass: ModemErrorClass {
        CMEErrorCode.table[code]?.errorClass ?? .unknown
    }

    public var description: String { "+CME ERROR: \(code) (\(meaning))" }

    /// Maps verbose text (`+CME ERROR: SIM busy` with `AT+CMEE=2`) back to its code.
    ///
    /// Matching ignores case and surrounding spaces and accepts a few common vendor spellings;
    /// returns `nil` for other text.
    public init?(verbose text: String) {
        let key = ModemErrorText.normalised(text)
        guard let code = CMEErrorCode.codesByMeaning[key] ?? CMEErrorCode.vendorSpellings[key] else { return nil }
        self.code = code
    }

    private static let codesByMeaning: [String: Int] = {
        var result: [String: Int] = [:]
        for (code, entry) in table {
            result[ModemErrorText.normalised(entry.meaning)] = code
        }
        return result
    }()

    /// Spellings seen from modems that differ from the standard's wording.
    private static let vendorSpellings: [String: Int] = [
        "sim pin required": 11,
        "sim puk required": 12,
        "sim not ready": 14,
        "sim failure": 13,
        "no sim": 10,
        "sim not present": 10,
        "unknown": 100,
        "unknown error": 100,
        "invalid index": 21,
        "incorrect parameters": 50,
        "invalid parameter": 50,
    ]

    static let table: [Int: ModemErrorEntry] = {
        var table: [Int: ModemErrorEntry] = [:]
        for (code, meaning, errorClass) in generalErrors + packetDomainErrors {
            table[code] = ModemErrorEntry(meaning: meaning, errorClass: errorClass)
        }
        return table
    }()

    /// General errors, TS 27.007 9.2.1.
    private static let generalErrors: [(Int, String, ModemErrorClass)] = [
        (0, "phone failure", .providerUnavailable),
        (1, "no connection to phone", .providerUnavailable),
        (2, "phone-adaptor link reserved", .providerUnavailable),
        (3, "operation not allowed", .badRequest),
        (4, "operation not supported", .badRequest),
        (5, "PH-SIM PIN required", .configuration),
        (6, "PH-FSIM PIN required", .configuration),
        (7, "PH-FSIM PUK required", .configuration),
        (10, "SIM not inserted", .providerUnavailable),
        (11, "SIM PIN required", .configuration),
        (12, "SIM PUK required", .configuration),
        (13, "SIM failure", .providerUnavailable),
        (14, "SIM busy", .transient),
        (15, "SIM wrong", .providerUnavailable),
        (16, "incorrect password", .configuration),
        (17, "SIM PIN2 required", .configuration),
        (18, "SIM PUK2 required", .configuration),
        (20, "memory full", .transient),
        (21, "invalid index", .badRequest),
        (22, "not found", .badRequest),
        (23, "memory failure", .providerUnavailable),
        (24, "text string too long", .badRequest),
        (25, "invalid characters in text string", .badRequest),
        (26, "dial string too long", .badRequest),
        (27, "invalid characters in dial string", .badRequest),
        (30, "no network service", .transient),
        (31, "network timeout", .transient),
        (32, "network not allowed - emergency calls only", .providerUnavailable),
        (40, "network personalization PIN required", .configuration),
        (41, "network personalization PUK required", .configuration),
        (42, "network subset personalization PIN required", .configuration),
        (43, "network subset personalization PUK required", .configuration),
        (44, "service provider personalization PIN required", .configuration),
        (45, "service provider personalization PUK required", .configuration),
        (46, "corporate personalization PIN required", .configuration),
        (47, "corporate personalization PUK required", .configuration),
        (48, "hidden key required", .configuration),
        (49, "EAP method not supported", .badRequest),
        (50, "incorrect parameters", .badRequest),
        (100, "unknown", .unknown),
    ]

    /// Packet domain errors, TS 27.007 9.2.2.
    private static let packetDomainErrors: [(Int, String, ModemErrorClass)] = [
        (103, "illegal MS", .providerUnavailable),
        (106, "illegal ME", .providerUnavailable),
        (107, "GPRS services not allowed", .providerUnavailable),
        (111, "PLMN not allowed", .providerUnavailable),
        (112, "location area not allowed", .providerUnavailable),
        (113, "roaming not allowed in this location area", .providerUnavailable),
        (132, "service option not supported", .providerUnavailable),
        (133, "requested service option not subscribed", .providerUnavailable),
        (134, "service option temporarily out of order", .transient),
        (148, "unspecified GPRS error", .unknown),
        (149, "PDP authentication failure", .configuration),
        (150, "invalid mobile class", .badRequest),
    ]
}
