/// An address in a TPDU (TP-OA, TP-DA, TP-RA in TS 23.040 section 9.1.2.5) or the SMSC address
/// that precedes a TPDU in AT command PDU mode (TS 24.011 RP address).
public struct TPAddress: Sendable, Hashable, Codable {
    /// Type of number (TON), bits 6-4 of the type-of-address octet.
    public enum TypeOfNumber: UInt8, Sendable, Hashable, Codable {
        /// 000: no type given, so the digits go as dialled.
        case unknown = 0
        /// 001: E.164 with country code, shown with '+'.
        case international = 1
        /// 010: a number with no country code, as dialled nationally.
        case national = 2
        /// 011: a network operator's own numbering.
        case networkSpecific = 3
        /// 100: a subscriber number in the local plan.
        case subscriber = 4
        /// 101: GSM 7-bit text packed into the address field, as used for sender names.
        case alphanumeric = 5
        /// 110: an abbreviated (short) number.
        case abbreviated = 6
        /// 111: reserved.
        case reserved = 7
    }

    /// The type of number.
    public var typeOfNumber: TypeOfNumber
    /// Numbering plan identification (NPI), bits 3-0: 1 is ISDN/E.164, 0 unknown.
    public var numberingPlan: UInt8
    /// The digits (0-9, '*', '#', 'a', 'b', 'c'), without '+', or the alphanumeric text.
    public var value: String

    /// Creates an address from its parts.
    public init(typeOfNumber: TypeOfNumber, numberingPlan: UInt8, value: String) {
        self.typeOfNumber = typeOfNumber
        self.numberingPlan = numberingPlan & 0x0F
        self.value = value
    }

    /// Makes an international E.164 address (type 0x91), dropping a leading '+'.
    public static func international(_ digits: String) -> TPAddress {
        TPAddress(
            typeOfNumber: .international,
            numberingPlan: 1,
            value: digits.hasPrefix("+") ? String(digits.dropFirst()) : digits
        )
    }

    /// Makes a national address (type 0xA1).
    public static func national(_ digits: String) -> TPAddress {
        TPAddress(typeOfNumber: .national, numberingPlan: 1, value: digits)
    }

    /// Makes an alphanumeric sender address (type 0xD0) of at most 11 GSM characters.
    public static func alphanumeric(_ text: String) -> TPAddress {
        TPAddress(typeOfNumber: .alphanumeric, numberingPlan: 0, value: text)
    }

    /// The type-of-address octet: bit 7 set, then TON and NPI.
    public var typeOctet: UInt8 { 0x80 | typeOfNumber.rawValue << 4 | numberingPlan }

    /// The value for people: '+' before international digits, else the value as is.
    public var displayString: String {
        typeOfNumber == .international ? "+" + value : value
    }

    /// Encodes as TP-DA: a length in semi-octets (digits), the type octet, then swapped
    /// semi-octets with an F pad when the digit count is odd.
    /// - Throws: `TPDUEncodingError` for a character with no code or an address over 20 digits.
    public func encodedAsTPAddress() throws(TPDUEncodingError) -> [UInt8] {
        if typeOfNumber == .alphanumeric {
            guard value.count <= 11 else { throw .addressTooLong(length: value.count, maximum: 11) }
            guard let septets = try? GSMAlphabet.encode(value) else { throw .alphanumericAddressNotGSM(address: value) }
            let packed = SeptetPacking.pack(septets)
            let semiOctets = (septets.count * 7 + 3) / 4
            return [UInt8(semiOctets), typeOctet] + packed
        }
        guard value.count <= 20 else { throw .addressTooLong(length: value.count, maximum: 20) }
        return [UInt8(value.count), typeOctet] + (try Self.semiOctets(value))
    }

    /// Encodes as the SMSC field before a TPDU: a length in octets (type octet included),
    /// the type octet and the swapped semi-octets.
    /// - Throws: `TPDUEncodingError` for a character with no code or more than 20 digits.
    public func encodedAsSMSCAddress() throws(TPDUEncodingError) -> [UInt8] {
        guard value.count <= 20 else { throw .addressTooLong(length: value.count, maximum: 20) }
        let digits = try Self.semiOctets(value)
        return [UInt8(digits.count + 1), typeOctet] + digits
    }

    static func semiOctets(_ value: String) throws(TPDUEncodingError) -> [UInt8] {
        var nibbles: [UInt8] = []
        for character in value {
            guard let nibble = semiOctet(for: character) else {
                throw .invalidAddressCharacter(character, address: value)
            }
            nibbles.append(nibble)
        }
        if nibbles.count % 2 == 1 { nibbles.append(0x0F) }
        var octets: [UInt8] = []
        for index in stride(from: 0, to: nibbles.count, by: 2) {
            octets.append(nibbles[index + 1] << 4 | nibbles[index])
        }
        return octets
    }

    static func semiOctet(for character: Character) -> UInt8? {
        // Compare ASCII values: a Character range such as "0"..."9" would also admit a digit with a combining mark.
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case 0x30...0x39: return ascii - 0x30
        case UInt8(ascii: "*"): return 0x0A
        case UInt8(ascii: "#"): return 0x0B
        case UInt8(ascii: "a"), UInt8(ascii: "A"): return 0x0C
        case UInt8(ascii: "b"), UInt8(ascii: "B"): return 0x0D
        case UInt8(ascii: "c"), UInt8(ascii: "C"): return 0x0E
        default: return nil
        }
    }

    static let semiOctetCharacters: [Character] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "a", "b", "c",
    ]

    /// Reads swapped semi-octets. An F nibble (padding) is skipped.
    static func digits(from octets: [UInt8], count: Int) -> String {
        var result = ""
        for index in 0..<count {
            let octet = octets[index / 2]
            let nibble = index % 2 == 0 ? octet & 0x0F : octet >> 4
            if nibble < 0x0F { result.append(semiOctetCharacters[Int(nibble)]) }
        }
        return result
    }

    /// Reads a TP-address (length in semi-octets) for `field`.
    static func readTPAddress(_ reader: inout ByteReader, field: String) throws(PDUDecodingError) -> TPAddress {
        let lengthOffset = reader.offset
        let length = Int(try reader.readByte(field: "\(field) length"))
        guard length <= 20 else {
            throw .invalidValue(
                field: "\(field) length",
                offset: lengthOffset,
                value: UInt8(length),
                reason: "more than 20 semi-octets"
            )
        }
        let type = try reader.readByte(field: "\(field) type")
        let octets = try reader.readBytes((length + 1) / 2, field: field)
        let typeOfNumber = TypeOfNumber(rawValue: (type >> 4) & 0x07)!
        if typeOfNumber == .alphanumeric {
            let septets = try SeptetPacking.unpack(octets, septetCount: length * 4 / 7)
            return TPAddress(
                typeOfNumber: .alphanumeric,
                numberingPlan: type & 0x0F,
                value: GSMAlphabet.decode(septets)
            )
        }
        return TPAddress(
            typeOfNumber: typeOfNumber,
            numberingPlan: type & 0x0F,
            value: digits(from: octets, count: length)
        )
    }

    /// Reads the SMSC field (length in octets). Returns nil when the length octet is 0.
    static func readSMSCAddress(_ reader: inout ByteReader) throws(PDUDecodingError) -> TPAddress? {
        let lengthOffset = reader.offset
        let length = Int(try reader.readByte(field: "SMSC length"))
        guard length > 0 else { return nil }
        guard length <= 11 else {
            throw .invalidValue(
                field: "SMSC length",
                offset: lengthOffset,
                value: UInt8(length),
                reason: "more than 11 octets"
            )
        }
        let type = try reader.readByte(field: "SMSC type")
        let octets = try reader.readBytes(length - 1, field: "SMSC address")
        let typeOfNumber = TypeOfNumber(rawValue: (type >> 4) & 0x07)!
        return TPAddress(
            typeOfNumber: typeOfNumber,
            numberingPlan: type & 0x0F,
            value: digits(from: octets, count: octets.count * 2)
        )
    }
}
