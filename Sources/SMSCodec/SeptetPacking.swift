/// Packing of GSM 7-bit septets into octets (3GPP TS 23.038 section 6.1.2.1).
///
/// Septets are laid end to end from the least significant bit of the first octet. After a user
/// data header the text starts on a septet boundary counted from the start of the user data,
/// so 0...6 fill bits (zero) come first. The caller writes the header octets itself.
public enum SeptetPacking {
    /// Returns the fill bits needed after a user data header of `headerLength` octets
    /// (the UDHL octet included) so that the text starts on a septet boundary.
    public static func fillBits(afterHeaderOfLength headerLength: Int) -> Int {
        guard headerLength > 0 else { return 0 }
        return (7 - (headerLength * 8) % 7) % 7
    }

    /// Returns the septets a header of `headerLength` octets plus its fill bits occupies,
    /// the amount TP-UDL counts for it.
    public static func headerSeptets(forHeaderOfLength headerLength: Int) -> Int {
        (headerLength * 8 + fillBits(afterHeaderOfLength: headerLength)) / 7
    }

    /// Returns the octets `septetCount` septets occupy after `fillBits` fill bits.
    public static func packedLength(septetCount: Int, fillBits: Int = 0) -> Int {
        (fillBits + septetCount * 7 + 7) / 8
    }

    /// Packs unpacked septets into octets, starting after `fillBits` zero bits.
    ///
    /// Bit 7 of each input octet is ignored. When the last octet has 7 spare bits they stay zero,
    /// so a receiver must use TP-UDL (the septet count) and never read them as a trailing '@'.
    public static func pack(_ septets: [UInt8], fillBits: Int = 0) -> [UInt8] {
        precondition((0...6).contains(fillBits), "fill bits must be 0...6")
        var octets = [UInt8](repeating: 0, count: packedLength(septetCount: septets.count, fillBits: fillBits))
        var bitPosition = fillBits
        for septet in septets {
            let value = UInt16(septet & 0x7F) << (bitPosition % 8)
            let index = bitPosition / 8
            octets[index] |= UInt8(value & 0xFF)
            if value > 0xFF {
                octets[index + 1] |= UInt8(value >> 8)
            }
            bitPosition += 7
        }
        return octets
    }

    /// Unpacks `septetCount` septets from `octets`, skipping `fillBits` leading bits.
    ///
    /// Bits after the last septet are ignored, so zero padding never becomes an extra '@'.
    /// - Throws: `PDUDecodingError.truncated` when the octets hold fewer bits than the count needs,
    ///   `PDUDecodingError.invalidValue` when `fillBits` is outside 0...6 or the count is negative.
    public static func unpack(
        _ octets: [UInt8],
        septetCount: Int,
        fillBits: Int = 0
    ) throws(PDUDecodingError) -> [UInt8] {
        guard (0...6).contains(fillBits) else {
            throw .invalidValue(
                field: "fill bits",
                offset: 0,
                value: UInt8(truncatingIfNeeded: fillBits),
                reason: "must be 0...6"
            )
        }
        guard septetCount >= 0 else {
            throw .invalidValue(field: "septet count", offset: 0, value: 0, reason: "must not be negative")
        }
        let needed = packedLength(septetCount: septetCount, fillBits: fillBits)
        guard needed <= octets.count else {
            throw .truncated(field: "packed septets", offset: 0, needed: needed, available: octets.count)
        }
        var septets = [UInt8]()
        septets.reserveCapacity(septetCount)
        var bitPosition = fillBits
        for _ in 0..<septetCount {
            let index = bitPosition / 8
            let shift = bitPosition % 8
            var value = UInt16(octets[index]) >> shift
            if shift > 1 {
                value |= UInt16(octets[index + 1]) << (8 - shift)
            }
            septets.append(UInt8(value & 0x7F))
            bitPosition += 7
        }
        return septets
    }
}
