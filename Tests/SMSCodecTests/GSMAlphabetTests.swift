import Testing

@testable import SMSCodec

/// The GSM 7-bit tables, escape handling and septet packing.
@Suite struct GSMAlphabetTests {
    /// Every basic-set septet except the escape decodes to one character that encodes back to it.
    @Test func basicTableRoundTrips() throws {
        for septet in UInt8(0)...0x7F where septet != GSMAlphabet.escape {
            let text = GSMAlphabet.decode([septet])
            #expect(text.unicodeScalars.count == 1)
            #expect(try GSMAlphabet.encode(text) == [septet], "septet \(septet)")
        }
    }

    /// Characters with their own codes that ASCII would get wrong.
    @Test(
        arguments: [
            ("@", [0x00]), ("£", [0x01]), ("$", [0x02]), ("_", [0x11]), ("¤", [0x24]), ("¡", [0x40]),
            ("§", [0x5F]), ("¿", [0x60]), ("à", [0x7F]), ("Δ", [0x10]), ("\n", [0x0A]), ("\r", [0x0D]),
            ("€", [0x1B, 0x65]), ("{", [0x1B, 0x28]), ("}", [0x1B, 0x29]), ("[", [0x1B, 0x3C]), ("]", [0x1B, 0x3E]),
            ("^", [0x1B, 0x14]), ("~", [0x1B, 0x3D]), ("|", [0x1B, 0x40]), ("\\", [0x1B, 0x2F]),
            ("\u{0C}", [0x1B, 0x0A]),
        ] as [(String, [UInt8])]
    )
    func encodesSpecialCharacters(text: String, septets: [UInt8]) throws {
        #expect(try GSMAlphabet.encode(text) == septets)
        #expect(GSMAlphabet.decode(septets) == text)
        #expect(GSMAlphabet.septetCount(of: text) == septets.count)
    }

    /// Escape edge cases: an undefined code falls back to the basic set, a double or trailing escape is a space.
    @Test(
        arguments: [
            ([0x1B, 0x41], "A"), ([0x1B, 0x00], "@"), ([0x1B, 0x1B], " "), ([0x41, 0x1B], "A "),
            ([0x00, 0x00, 0x41], "@@A"), ([0xC1], "A"),
        ] as [([UInt8], String)]
    )
    func decodesEscapeEdgeCases(septets: [UInt8], text: String) {
        #expect(GSMAlphabet.decode(septets) == text)
    }

    /// A character without a GSM code is rejected with its scalar offset.
    @Test func rejectsCharacterOutsideAlphabet() {
        #expect(throws: TextCodingError.notInGSMAlphabet(character: "`", offset: 2)) {
            try GSMAlphabet.encode("it`s")
        }
        #expect(GSMAlphabet.septetCount(of: "a€`") == nil)
        #expect(!GSMAlphabet.canEncode("ç"))
    }

    /// Strict decoding rejects octets above 0x7F with their offset.
    @Test func strictDecodingRejectsHighBit() {
        #expect(throws: TextCodingError.septetOutOfRange(value: 0x80, offset: 1)) {
            try GSMAlphabet.decodeStrict([0x41, 0x80])
        }
    }

    /// Packing vectors, computed independently, with and without fill bits.
    @Test(arguments: [
        ("hellohello", 0, "E8329BFD4697D9EC37"),
        ("12345678", 0, "31D98C56B3DD70"),
        ("abc", 1, "C2E231"),
        ("abc", 6, "40583C06"),
        ("", 0, ""),
    ])
    func packsSeptets(text: String, fillBits: Int, hex: String) throws {
        let septets = try GSMAlphabet.encode(text)
        let packed = SeptetPacking.pack(septets, fillBits: fillBits)
        #expect(Hex.encode(packed) == hex)
        #expect(try SeptetPacking.unpack(packed, septetCount: septets.count, fillBits: fillBits) == septets)
    }

    /// Eight septets fill seven octets exactly. The count, not the octets, decides whether an eighth '@' exists.
    @Test func unpacksByCountNotByOctets() throws {
        let packed = SeptetPacking.pack([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47])
        #expect(packed.count == 7)
        #expect(GSMAlphabet.decode(try SeptetPacking.unpack(packed, septetCount: 7)) == "ABCDEFG")
        #expect(GSMAlphabet.decode(try SeptetPacking.unpack(packed, septetCount: 8)) == "ABCDEFG@")
    }

    /// Too few octets for the count, a negative count, or a fill outside 0...6 throw instead of reading past the end.
    @Test func unpackRejectsBadArguments() {
        #expect(throws: PDUDecodingError.truncated(field: "packed septets", offset: 0, needed: 2, available: 1)) {
            try SeptetPacking.unpack([0xFF], septetCount: 2)
        }
        #expect(throws: PDUDecodingError.self) { try SeptetPacking.unpack([0xFF], septetCount: 1, fillBits: 7) }
        #expect(throws: PDUDecodingError.self) { try SeptetPacking.unpack([0xFF], septetCount: -1) }
        #expect(throws: PDUDecodingError.self) { try SeptetPacking.unpack([0xFF], septetCount: 1, fillBits: 2) }
    }

    /// Fill bits and header septets for the usual header lengths.
    @Test(arguments: [(0, 0, 0), (6, 1, 7), (7, 0, 8), (1, 6, 2), (12, 2, 14)])
    func computesFillBits(headerLength: Int, fillBits: Int, headerSeptets: Int) {
        #expect(SeptetPacking.fillBits(afterHeaderOfLength: headerLength) == fillBits)
        #expect(SeptetPacking.headerSeptets(forHeaderOfLength: headerLength) == headerSeptets)
    }
}
