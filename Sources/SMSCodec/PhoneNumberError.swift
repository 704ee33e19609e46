/// A phone number from configuration, an API call or a CSV import that cannot be made E.164.
///
/// Each message names the value and the fix. The value is the caller's input, so a message may
/// hold a full phone number: log it at debug level only.
public enum PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing but spaces and punctuation.
    case empty(raw: String)
    /// A character other than digits, spaces, '-', '.', '/', parentheses and a leading '+'.
    case invalidCharacter(Character, raw: String)
    /// A '+' that is not the first character.
    case misplacedPlus(raw: String)
    /// A national-format number with no default region to supply the country code.
    case missingCountryContext(raw: String)
    /// A country code that no country uses, such as one starting with 0.
    case unknownCountryCode(raw: String)
    /// More digits than E.164 allows (15 with the country code).
    case tooLong(digits: Int, raw: String)
    /// Fewer digits than any number of that country has.
    case tooShort(digits: Int, raw: String)
    /// A national significant number whose length the country does not use.
    case invalidLength(digits: Int, expected: ClosedRange<Int>, region: Region, raw: String)
    /// An unknown region code in configuration.
    case unknownRegion(code: String)

    /// One line naming the value and the fix.
    public var description: String {
        switch self {
        case .empty(let raw):
            return "phone number \"\(raw)\" has no digits: give a number such as +447700900123"
        case .invalidCharacter(let character, let raw):
            return "phone number \"\(raw)\" contains \"\(character)\":"
                + " use digits, spaces, '-', '.', '(', ')' and a leading '+'"
        case .misplacedPlus(let raw):
            return "phone number \"\(raw)\" has '+' after the start: put '+' only before the country code"
        case .missingCountryContext(let raw):
            return "phone number \"\(raw)\": no country context for a national-format number:"
                + " set default_region or write it with '+' and the country code"
        case .unknownCountryCode(let raw):
            return "phone number \"\(raw)\" does not start with a known country code: check the digits after '+' or 00"
        case .tooLong(let digits, let raw):
            return "phone number \"\(raw)\" has \(digits) digits with the country code, more than E.164's 15:"
                + " remove extra digits or an extension"
        case .tooShort(let digits, let raw):
            return "phone number \"\(raw)\" has only \(digits) digits after the country code: check for missing digits"
        case .invalidLength(let digits, let expected, let region, let raw):
            let range =
                expected.lowerBound == expected.upperBound
                ? "\(expected.lowerBound)" : "\(expected.lowerBound) to \(expected.upperBound)"
            return "phone number \"\(raw)\" has \(digits) digits after +\(region.countryCallingCode),"
                + " but \(region.rawValue) numbers have \(range): check for missing or extra digits"
        case .unknownRegion(let code):
            let known = Region.allCases.map(\.rawValue).joined(separator: ", ")
            return "default_region \"\(code)\" is not a supported region: use one of \(known)"
        }
    }
}
