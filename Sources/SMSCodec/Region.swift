/// A country or territory whose national number format the normaliser supports, by ISO 3166-1 alpha-2 code.
///
/// Each region gives its country calling code, the trunk prefix dialled before national numbers,
/// the prefixes dialled before an international number, and the length range of its national
/// significant numbers. The ranges are loose on purpose: they catch typing mistakes (a digit
/// missing or doubled) but not unassigned ranges.
public enum Region: String, Sendable, Hashable, Codable, CaseIterable {
    case US, CA, GB, DE, FR, IT, ES, NL, BE, CH, AT, SE, NO, DK, IE, PT, PL, AU, NZ, IN, JP, BR, MX, ZA

    /// Parses an ISO 3166-1 alpha-2 code in any letter case ("gb", "GB"). "UK" is accepted for GB.
    public init?(code: String) {
        let upper = code.uppercased()
        if upper == "UK" {
            self = .GB
            return
        }
        self.init(rawValue: upper)
    }

    /// The country calling code (ITU-T E.164).
    public var countryCallingCode: Int {
        switch self {
        case .US, .CA: return 1
        case .GB: return 44
        case .DE: return 49
        case .FR: return 33
        case .IT: return 39
        case .ES: return 34
        case .NL: return 31
        case .BE: return 32
        case .CH: return 41
        case .AT: return 43
        case .SE: return 46
        case .NO: return 47
        case .DK: return 45
        case .IE: return 353
        case .PT: return 351
        case .PL: return 48
        case .AU: return 61
        case .NZ: return 64
        case .IN: return 91
        case .JP: return 81
        case .BR: return 55
        case .MX: return 52
        case .ZA: return 27
        }
    }

    /// The trunk prefix removed from national numbers, or nil when numbers keep every digit.
    ///
    /// Italy has none: its fixed-line numbers keep their leading 0 after +39. Spain, Portugal,
    /// Denmark, Norway and Poland dial no trunk prefix either.
    public var trunkPrefix: String? {
        switch self {
        case .US, .CA: return "1"
        case .IT, .ES, .PT, .DK, .NO, .PL: return nil
        case .MX: return nil
        default: return "0"
        }
    }

    /// Prefixes dialled before a country code from this region, longest first.
    public var internationalPrefixes: [String] {
        switch self {
        case .US, .CA: return ["011"]
        case .AU: return ["0011"]
        case .JP: return ["010"]
        default: return ["00"]
        }
    }

    /// Lengths a national significant number (after the country code) may have here.
    public var nationalNumberLengths: ClosedRange<Int> {
        switch self {
        case .US, .CA, .IN, .MX: return 10...10
        case .GB: return 9...10
        case .DE: return 6...13
        case .FR, .ES, .CH, .PT, .PL, .ZA, .NL: return 9...9
        case .IT: return 6...11
        case .BE: return 8...9
        case .AT: return 4...13
        case .SE: return 7...13
        case .NO, .DK: return 8...8
        case .IE: return 7...9
        case .AU: return 9...9
        case .NZ: return 8...10
        case .JP: return 9...10
        case .BR: return 10...11
        }
    }

    /// Returns the regions that share `countryCallingCode`.
    static func regions(forCountryCode code: Int) -> [Region] {
        allCases.filter { $0.countryCallingCode == code }
    }
}
