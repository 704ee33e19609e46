/// Reads SMPP fields from one complete PDU frame, front to back.
///
/// `read…` consumes. Offsets in errors count from the first octet of the frame.
struct PDUReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(frame: [UInt8], offset: Int = 0) {
        self.bytes = frame
        self.offset = offset
        self.end = frame.count
    }

    /// Octets left before the end of the frame.
    var remaining: Int { end - offset }

    mutating func readUInt8(field: String) throws(PDUDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw .truncatedField(name: field, offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(field: String) throws(PDUDecodingError) -> UInt16 {
        guard remaining >= 2 else { throw .truncatedField(name: field, offset: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32(field: String) throws(PDUDecodingError) -> UInt32 {
        guard remaining >= 4 else { throw .truncatedField(name: field, offset: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func readOctets(count: Int, field: String) throws(PDUDecodingError) -> [UInt8] {
        guard remaining >= count else { throw .truncatedField(name: field, offset: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a NUL-terminated string of at most `maxLength` octets including the NUL.
    ///
    /// Octets are taken as UTF-8; SMPP fields carrying them (ids, addresses) are ASCII in practice.
    mutating func readCOctetString(maxLength: Int, field: String) throws(PDUDecodingError) -> String {
        let limit = min(end, offset + maxLength)
        var index = offset
        while index < limit, bytes[index] != 0 {
            index += 1
        }
        guard index < limit else {
            throw .unterminatedCOctetString(name: field, maxLength: maxLength, offset: offset)
        }
        let value = String(decoding: bytes[offset..<index], as: UTF8.self)
        offset = index + 1
        return value
    }

    /// Reads TLVs until the end of the frame.
    ///
    /// Each length is checked against the frame, and for the tags defined in `TLVTag`, against the tag's definition.
    mutating func readTLVs() throws(PDUDecodingError) -> [TLV] {
        var parameters: [TLV] = []
        while remaining > 0 {
            let start = offset
            let tag = try readUInt16(field: "tlv.tag")
            let length = Int(try readUInt16(field: "tlv.length"))
            guard remaining >= length else { throw .tlvLengthPastEnd(tag: tag, length: length, offset: start) }
            let value = try readOctets(count: length, field: "tlv.value")
            let parameter = TLV(tag: TLVTag(rawValue: tag), value: value)
            guard parameter.hasValidLength else { throw .invalidTLVLength(tag: tag, length: length, offset: start) }
            parameters.append(parameter)
        }
        return parameters
    }

    /// Throws when octets remain where the PDU's definition ends.
    func expectEnd(of commandID: CommandID) throws(PDUDecodingError) {
        guard remaining == 0 else {
            throw .unexpectedBody(commandID: commandID, extraOctets: remaining, offset: offset)
        }
    }
}
