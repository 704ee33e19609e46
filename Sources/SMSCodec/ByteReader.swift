/// A bounds-checked cursor over PDU octets that reports the field and offset of any overrun.
///
/// `offset` counts from the start of the whole input, so errors point into the hex a person reads.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    var isAtEnd: Bool { offset >= bytes.count }

    /// Consumes one octet for `field`.
    mutating func readByte(field: String) throws(PDUDecodingError) -> UInt8 {
        guard offset < bytes.count else {
            throw .truncated(field: field, offset: offset, needed: 1, available: 0)
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Consumes `count` octets for `field`.
    mutating func readBytes(_ count: Int, field: String) throws(PDUDecodingError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: field, offset: offset, needed: count, available: max(remaining, 0))
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Consumes every octet left.
    mutating func readRest() -> [UInt8] {
        guard offset < bytes.count else { return [] }
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }
}
