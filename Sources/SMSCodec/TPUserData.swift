/// TP-User-Data with its length (TS 23.040 sections 9.2.3.16 and 9.2.3.24): an optional header
/// and the text payload.
public struct TPUserData: Sendable, Hashable {
    /// The header, present when TP-UDHI is set.
    public var header: UserDataHeader?
    /// The alphabet from TP-DCS.
    public var alphabet: DataCodingScheme.Alphabet
    /// True when TP-DCS marks the data compressed. It is then counted in octets and not decoded.
    public var isCompressed: Bool
    /// Unpacked septets (uncompressed GSM 7-bit) or octets, without the header and fill bits.
    public var payload: [UInt8]

    /// Creates user data from its parts.
    public init(
        header: UserDataHeader?,
        alphabet: DataCodingScheme.Alphabet,
        isCompressed: Bool = false,
        payload: [UInt8]
    ) {
        self.header = header
        self.alphabet = alphabet
        self.isCompressed = isCompressed
        self.payload = payload
    }

    /// Creates user data from a planned segment.
    public init(segment: PlannedSegment) {
        let alphabet: DataCodingScheme.Alphabet = segment.encoding == .gsm7 ? .gsm7 : .ucs2
        self.init(header: segment.header, alphabet: alphabet, payload: segment.payload)
    }

    private var countsSeptets: Bool { alphabet == .gsm7 && !isCompressed }

    /// TP-UDL: septets including the header's (GSM 7-bit), else octets including the header.
    public var userDataLength: Int {
        let headerLength = header?.encoded.count ?? 0
        if countsSeptets {
            return SeptetPacking.headerSeptets(forHeaderOfLength: headerLength) + payload.count
        }
        return headerLength + payload.count
    }

    /// TP-UD as sent: header, fill bits and packed septets, or header and octets.
    public var encoded: [UInt8] {
        let headerBytes = header?.encoded ?? []
        if countsSeptets {
            return headerBytes
                + SeptetPacking.pack(payload, fillBits: SeptetPacking.fillBits(afterHeaderOfLength: headerBytes.count))
        }
        return headerBytes + payload
    }

    /// Decodes the payload to text. Returns nil for 8-bit or compressed data.
    /// - Throws: `TextCodingError` for UCS-2 with an odd length or a lone surrogate. A lone
    ///   surrogate at the edge of one part of a concatenated message is legal for the sender,
    ///   so join the parts with `ConcatenationReassembler` before decoding them.
    public func text() throws(TextCodingError) -> String? {
        guard !isCompressed else { return nil }
        switch alphabet {
        case .gsm7: return GSMAlphabet.decode(payload)
        case .ucs2: return try UCS2.decode(payload)
        case .eightBit: return nil
        }
    }

    /// Writes TP-UDL and TP-UD.
    /// - Throws: `TPDUEncodingError.userDataTooLong` past 140 octets.
    func write(to bytes: inout [UInt8]) throws(TPDUEncodingError) {
        let data = encoded
        guard data.count <= SMSEncoding.maximumUserDataOctets else {
            throw .userDataTooLong(octets: data.count, maximum: SMSEncoding.maximumUserDataOctets)
        }
        bytes.append(UInt8(userDataLength))
        bytes.append(contentsOf: data)
    }

    /// Reads TP-UDL and TP-UD.
    static func read(
        _ reader: inout ByteReader,
        dataCodingScheme: DataCodingScheme,
        hasHeader: Bool
    ) throws(PDUDecodingError) -> TPUserData {
        let lengthOffset = reader.offset
        let length = Int(try reader.readByte(field: "TP-UDL"))
        let septets = dataCodingScheme.userDataLengthCountsSeptets
        let octetCount = septets ? (length * 7 + 7) / 8 : length
        let dataOffset = reader.offset
        let data = try reader.readBytes(octetCount, field: "TP-UD")
        let alphabet = dataCodingScheme.alphabet
        let compressed = dataCodingScheme.isCompressed

        var header: UserDataHeader? = nil
        var headerLength = 0
        if hasHeader {
            guard length > 0 else {
                throw .invalidValue(
                    field: "TP-UDL",
                    offset: lengthOffset,
                    value: 0,
                    reason: "TP-UDHI is set but there is no user data"
                )
            }
            (header, headerLength) = try UserDataHeader.parse(data, baseOffset: dataOffset)
        }

        guard septets else {
            return TPUserData(
                header: header,
                alphabet: alphabet,
                isCompressed: compressed,
                payload: Array(data[headerLength...])
            )
        }
        let headerSeptets = SeptetPacking.headerSeptets(forHeaderOfLength: headerLength)
        guard headerSeptets <= length else {
            throw .invalidValue(
                field: "TP-UDL",
                offset: lengthOffset,
                value: UInt8(length),
                reason: "shorter than the \(headerLength)-octet user data header"
            )
        }
        let text = try SeptetPacking.unpack(
            Array(data[headerLength...]),
            septetCount: length - headerSeptets,
            fillBits: SeptetPacking.fillBits(afterHeaderOfLength: headerLength)
        )
        return TPUserData(header: header, alphabet: alphabet, payload: text)
    }
}
