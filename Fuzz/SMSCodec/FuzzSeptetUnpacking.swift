// libFuzzer entry point for septet unpacking and packing and for GSM 7-bit and UCS-2 decoding.
// Built by run.sh together with Sources/SMSCodec/*.swift as one module.
//
// Input: [fill bits octet, septet count octet, packed octets...].

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSeptetUnpacking(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fillBits = Int(bytes[0] % 8)
    let count = Int(bytes[1])
    let packed = Array(bytes.dropFirst(2))

    _ = try? UCS2.decode(packed)
    _ = GSMAlphabet.decode(packed)
    _ = try? GSMAlphabet.decodeStrict(packed)

    guard let septets = try? SeptetPacking.unpack(packed, septetCount: count, fillBits: fillBits) else { return 0 }
    precondition(septets.count == count && septets.allSatisfy { $0 <= 0x7F }, "unpacked septets out of range")

    // Packing the septets again and unpacking must give the same septets.
    let repacked = SeptetPacking.pack(septets, fillBits: fillBits)
    let again = try? SeptetPacking.unpack(repacked, septetCount: count, fillBits: fillBits)
    precondition(again == septets, "pack and unpack disagree")

    // Text decoded from septets encodes back to septets that decode to the same text.
    let text = GSMAlphabet.decode(septets)
    if let encoded = try? GSMAlphabet.encode(text) {
        precondition(GSMAlphabet.decode(encoded) == text, "GSM decode and encode disagree")
    } else {
        preconditionFailure("decoded GSM text does not encode")
    }
    return 0
}
