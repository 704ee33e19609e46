/// An SMS-SUBMIT (or other TPDU) that cannot be built from the values given.
public enum TPDUEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An address character that has no semi-octet code (digits, '*', '#', 'a', 'b', 'c').
    case invalidAddressCharacter(Character, address: String)
    /// An address longer than the field holds: 20 digits, or 11 characters when alphanumeric.
    case addressTooLong(length: Int, maximum: Int)
    /// An alphanumeric address with a character that has no GSM 7-bit code.
    case alphanumericAddressNotGSM(address: String)
    /// User data, header included, longer than one SMS.
    case userDataTooLong(octets: Int, maximum: Int)
    /// A TP-DCS override whose alphabet differs from the alphabet of the user data.
    case dataCodingMismatch(dataCodingScheme: UInt8, alphabet: DataCodingScheme.Alphabet)
    /// The text cannot be encoded.
    case text(TextCodingError)
    /// The text does not fit the segment limits.
    case segmentation(SegmentationError)

    /// One line naming the value and the fix.
    public var description: String {
        switch self {
        case .invalidAddressCharacter(let character, let address):
            return "address \"\(address)\" has character \"\(character)\" with no semi-octet code:"
                + " use digits, '*' and '#' only, or an alphanumeric sender"
        case .addressTooLong(let length, let maximum):
            return "address has \(length) characters, more than the \(maximum) the field holds: shorten it"
        case .alphanumericAddressNotGSM(let address):
            return "alphanumeric address \"\(address)\" has characters with no GSM 7-bit code: use GSM characters only"
        case .userDataTooLong(let octets, let maximum):
            return "user data is \(octets) octets, more than the \(maximum) of one SMS: split it with SegmentPlanner"
        case .dataCodingMismatch(let dataCodingScheme, let alphabet):
            return
                "TP-DCS 0x\(Hex.encode([dataCodingScheme])) does not select \(alphabet.rawValue), the alphabet of the"
                + " user data: leave the DCS override unset or make its alphabet match"
        case .text(let error):
            return error.description
        case .segmentation(let error):
            return error.description
        }
    }
}
