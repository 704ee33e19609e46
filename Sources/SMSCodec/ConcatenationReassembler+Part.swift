import Foundation

extension ConcatenationReassembler.Part {
    /// Creates a part from an SMPP deliver_sm or data_sm short_message.
    ///
    /// - Parameters:
    ///   - dataCoding: SMPP data_coding. 0 is read as GSM 7-bit with one septet per octet (the
    ///     unpacked form of links where data_coding 0 means the GSM default alphabet), 8 as UCS-2,
    ///     and any other value as 8-bit data that `AssembledMessage.text()` does not decode.
    ///   - hasHeader: true when esm_class has the UDHI bit (0x40) set.
    /// - Throws: `PDUDecodingError` when the header runs past the short_message.
    public init(
        sender: String,
        shortMessage: [UInt8],
        dataCoding: UInt8,
        hasHeader: Bool,
        receivedAt: Date
    ) throws(PDUDecodingError) {
        var header: UserDataHeader? = nil
        var headerLength = 0
        if hasHeader {
            (header, headerLength) = try UserDataHeader.parse(shortMessage)
        }
        let alphabet: DataCodingScheme.Alphabet
        switch dataCoding {
        case 0x00: alphabet = .gsm7
        case 0x08: alphabet = .ucs2
        default: alphabet = .eightBit
        }
        self.init(
            sender: sender,
            concatenation: header?.concatenation,
            alphabet: alphabet,
            payload: Array(shortMessage[headerLength...]),
            receivedAt: receivedAt
        )
    }

    /// Creates a part from a decoded SMS-DELIVER, with the sender as `displayString` ('+' and
    /// digits, or the alphanumeric name). Compressed user data is kept as 8-bit data.
    public init(deliver: SMSDeliver, receivedAt: Date) {
        let userData = deliver.userData
        self.init(
            sender: deliver.originatingAddress.displayString,
            concatenation: userData.header?.concatenation,
            alphabet: userData.isCompressed ? .eightBit : userData.alphabet,
            payload: userData.payload,
            receivedAt: receivedAt
        )
    }
}
