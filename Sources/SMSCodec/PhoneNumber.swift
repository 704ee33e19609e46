import Foundation

/// A phone number in E.164 form, normalised from what people type, with renderings for each transport.
///
/// Normalisation checks shape and length, not whether a carrier has assigned the range:
/// fiction and test ranges pass.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The country calling code, for example 44.
    public let countryCode: Int
    /// The national significant number, for example "7700900123".
    public let nationalNumber: String

    /// Country calling codes of one and two digits (ITU-T E.164 assignments). Every other
    /// assigned code has three digits.
    static let shortCountryCodes: Set<Int> = [
        1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49,
        51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86,
        90, 91, 92, 93, 94, 95, 98,
    ]

    /// Creates a number from a country code and national significant number that are already valid.
    public init(countryCode: Int, nationalNumber: String) {
        self.countryCode = countryCode
        self.nationalNumber = nationalNumber
    }

    /// Parses a number already in E.164 form with '+' ("+447700900123").
    /// - Throws: `PhoneNumberError` as `normalise(_:defaultRegion:)` with no default region.
    public init(e164: String) throws(PhoneNumberError) {
        self = try Self.normalise(e164, defaultRegion: nil)
    }

    /// Normalises an admin- or CSV-entered number to E.164.
    ///
    /// Accepted: spaces, '-', '.', '/', parentheses, a "(0)" trunk marker after the country code,
    /// a leading '+', the international prefix of `defaultRegion` (00 in most regions, 011 in US and
    /// CA), and 00 when there is no default region. A national number (leading trunk 0, or any
    /// number without an international prefix) takes the default region's country code and loses
    /// its trunk prefix, except in Italy where the leading 0 is part of the number. A trunk 0
    /// written after a country code ("+33 06...") is removed for the known regions other than Italy.
    /// - Throws: `PhoneNumberError` naming the input and the fix.
    public static func normalise(_ raw: String, defaultRegion: Region?) throws(PhoneNumberError) -> PhoneNumber {
        let (hasPlus, digits) = try clean(raw)
        guard !digits.isEmpty else { throw .empty(raw: raw) }

        if hasPlus {
            return try international(digits, raw: raw)
        }
        if let region = defaultRegion {
            if let prefix = region.internationalPrefixes.first(where: { digits.hasPrefix($0) }) {
                return try international(String(digits.dropFirst(prefix.count)), raw: raw)
            }
            return try national(digits, region: region, raw: raw)
        }
        if digits.hasPrefix("00") {
            return try international(String(digits.dropFirst(2)), raw: raw)
        }
        throw .missingCountryContext(raw: raw)
    }

    /// Normalises with a region given as configuration text ("GB", "it").
    /// - Throws: `PhoneNumberError.unknownRegion` for an unsupported code, then as `normalise(_:defaultRegion:)`.
    public static func normalise(_ raw: String, defaultRegionCode: String?) throws(PhoneNumberError) -> PhoneNumber {
        guard let code = defaultRegionCode else { return try normalise(raw, defaultRegion: nil) }
        guard let region = Region(code: code) else { throw .unknownRegion(code: code) }
        return try normalise(raw, defaultRegion: region)
    }

    /// Strips punctuation and the "(0)" marker. Returns whether a leading '+' was present.
    static func clean(_ raw: String) throws(PhoneNumberError) -> (hasPlus: Bool, digits: String) {
        let text = raw.replacingOccurrences(of: "(0)", with: "")
        var digits = ""
        var hasPlus = false
        for character in text {
            // ASCII digits only: a Character range "0"..."9" would also admit a digit with a combining mark.
            if let ascii = character.asciiValue, (0x30...0x39).contains(ascii) {
                digits.append(character)
                continue
            }
            switch character {
            case "+":
                guard digits.isEmpty, !hasPlus else { throw .misplacedPlus(raw: raw) }
                hasPlus = true
            case " ", "-", ".", "(", ")", "/", "\t", "\u{00A0}":
                continue
            default:
                throw .invalidCharacter(character, raw: raw)
            }
        }
        return (hasPlus, digits)
    }

    /// Splits digits that start with a country code.
    static func international(_ digits: String, raw: String) throws(PhoneNumberError) -> PhoneNumber {
        guard let first = digits.first, first != "0" else { throw .unknownCountryCode(raw: raw) }
        var codeLength = 3
        for length in 1...2 where digits.count > length && shortCountryCodes.contains(Int(digits.prefix(length))!) {
            codeLength = length
            break
        }
        guard digits.count > codeLength else { throw .tooShort(digits: max(digits.count - codeLength, 0), raw: raw) }
        let countryCode = Int(digits.prefix(codeLength))!
        var national = String(digits.dropFirst(codeLength))
        let regions = Region.regions(forCountryCode: countryCode)
        if let region = regions.first, region != .IT, region.trunkPrefix == "0", national.hasPrefix("0") {
            national.removeFirst()
        }
        return try validated(countryCode: countryCode, national: national, regions: regions, raw: raw)
    }

    /// Adds the region's country code to a national-format number.
    static func national(_ digits: String, region: Region, raw: String) throws(PhoneNumberError) -> PhoneNumber {
        var national = digits
        if let trunk = region.trunkPrefix, national.hasPrefix(trunk) {
            // NANP numbers dialled with the trunk 1 have 11 digits. A 10-digit number starting with 1 is not one.
            if trunk != "1" || national.count == 11 {
                national.removeFirst(trunk.count)
            }
        }
        return try validated(
            countryCode: region.countryCallingCode,
            national: national,
            regions: Region.regions(forCountryCode: region.countryCallingCode),
            raw: raw
        )
    }

    static func validated(
        countryCode: Int,
        national: String,
        regions: [Region],
        raw: String
    ) throws(PhoneNumberError) -> PhoneNumber {
        let total = String(countryCode).count + national.count
        guard total <= 15 else { throw .tooLong(digits: total, raw: raw) }
        // Some small territories use four-digit numbers, so shorter input is taken as a typing mistake.
        guard national.count >= 4 else { throw .tooShort(digits: national.count, raw: raw) }
        if let region = regions.first, !region.nationalNumberLengths.contains(national.count) {
            throw .invalidLength(
                digits: national.count,
                expected: region.nationalNumberLengths,
                region: region,
                raw: raw
            )
        }
        return PhoneNumber(countryCode: countryCode, nationalNumber: national)
    }

    /// E.164 with '+', for Twilio `To` and AWS SNS `PhoneNumber`: "+447700900123".
    public var e164: String { "+\(countryCode)\(nationalNumber)" }

    /// The E.164 digits without '+', for Vonage `to`: "447700900123".
    public var digits: String { "\(countryCode)\(nationalNumber)" }

    /// Same as `e164`.
    public var description: String { e164 }

    /// Decodes from an E.164 string with '+', validating it as `init(e164:)` does.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try PhoneNumber(e164: text)
    }

    /// Encodes as the E.164 string with '+'.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }

    /// The SMPP destination: TON 1 (international), NPI 1 (ISDN/E.164), digits without '+'.
    public var smppAddress: SMPPAddress { SMPPAddress(typeOfNumber: 1, numberingPlan: 1, address: digits) }

    /// The TP-DA form: international type 0x91 with the digits.
    public var tpAddress: TPAddress { .international(digits) }

    /// TP-DA octets for an SMS-SUBMIT: length in digits, 0x91, swapped semi-octets with F padding.
    public var pduAddress: [UInt8] {
        // Normalisation leaves only ASCII digits, at most 15 of them, so encoding cannot fail.
        (try? tpAddress.encodedAsTPAddress()) ?? []
    }

    /// The arguments of AT+CMGS in text mode: the quoted number and type 145 (international).
    /// Send as `AT+CMGS=` followed by this.
    public var atTextModeArguments: String { "\"\(e164)\",145" }
}

/// An SMPP source or destination address triple (SMPP 3.4 section 5.2.5 and 5.2.6).
public struct SMPPAddress: Sendable, Hashable, Codable {
    /// addr_ton.
    public var typeOfNumber: UInt8
    /// addr_npi.
    public var numberingPlan: UInt8
    /// The address digits, never with '+'.
    public var address: String

    /// Creates an address triple.
    public init(typeOfNumber: UInt8, numberingPlan: UInt8, address: String) {
        self.typeOfNumber = typeOfNumber
        self.numberingPlan = numberingPlan
        self.address = address
    }
}
