/// Appends SMPP fields to a growing frame. `write…` appends, `set…(at:)` patches.
struct PDUWriter {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(64)
    }

    mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeUInt32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8((value >> 16) & 0xFF))
        bytes.append(UInt8((value >> 8) & 0xFF))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeOctets(_ value: [UInt8]) {
        bytes.append(contentsOf: value)
    }

    /// Writes the string's UTF-8 octets and a NUL. Length limits are the caller's to check.
    mutating func writeCOctetString(_ value: String) {
        bytes.append(contentsOf: value.utf8)
        bytes.append(0)
    }

    mutating func writeTLVs(_ parameters: [TLV]) {
        for parameter in parameters {
            writeUInt16(parameter.tag.rawValue)
            writeUInt16(UInt16(clamping: parameter.value.count))
            writeOctets(parameter.value)
        }
    }

    mutating func setUInt32(_ value: UInt32, at index: Int) {
        bytes[index] = UInt8(value >> 24)
        bytes[index + 1] = UInt8((value >> 16) & 0xFF)
        bytes[index + 2] = UInt8((value >> 8) & 0xFF)
        bytes[index + 3] = UInt8(value & 0xFF)
    }
}
