import Testing

@testable import SMSCodec

/// UCS-2, the alphabet choice, data coding schemes and transliteration.
@Suite struct TextCodingTests {
    /// UCS-2 keeps surrogate pairs and decodes them back.
    @Test func ucs2KeepsSurrogatePairs() throws {
        let text = "Hi 😀 я"
        let bytes = UCS2.encode(text)
        #expect(Hex.encode(bytes) == "00480069" + "0020" + "D83DDE00" + "0020" + "044F")
        #expect(try UCS2.decode(bytes) == text)
    }

    /// Lone surrogates and odd lengths are typed errors with the octet offset.
    @Test(arguments: [
        ("D83D", TextCodingError.loneSurrogate(unit: 0xD83D, offset: 0)),
        ("0041D83D0041", .loneSurrogate(unit: 0xD83D, offset: 2)),
        ("DE000041", .loneSurrogate(unit: 0xDE00, offset: 0)),
        ("0041DE00", .loneSurrogate(unit: 0xDE00, offset: 2)),
        ("004100", .oddUCS2Length(length: 3)),
    ])
    func ucs2RejectsMalformedData(hex: String, error: TextCodingError) throws {
        let bytes = try Hex.decode(hex)
        #expect(throws: error) { try UCS2.decode(bytes) }
    }

    /// GSM 7-bit is chosen only when every character fits.
    @Test(arguments: [
        ("Hello @ £5 €", SMSEncoding.gsm7), ("", .gsm7), ("Crème brûlée", .ucs2), ("it`s", .ucs2), ("😀", .ucs2),
        ("ΔΦΓΛΩ", .gsm7), ("ç", .ucs2),
    ])
    func choosesEncoding(text: String, encoding: SMSEncoding) {
        #expect(SMSEncoding.choose(for: text) == encoding)
    }

    /// TP-DCS octets map to the alphabet, compression and class TS 23.038 gives them.
    @Test(
        arguments: [
            (0x00, DataCodingScheme.Alphabet.gsm7, false, nil as Int?), (0x04, .eightBit, false, nil),
            (0x08, .ucs2, false, nil),
            (0x0C, .gsm7, false, nil), (0x10, .gsm7, false, 0), (0x19, .ucs2, false, 1), (0x20, .gsm7, true, nil),
            (0x48, .ucs2, false, nil), (0xC0, .gsm7, false, nil), (0xD8, .gsm7, false, nil), (0xE0, .ucs2, false, nil),
            (0xF0, .gsm7, false, 0), (0xF6, .eightBit, false, 2), (0x80, .gsm7, false, nil),
        ] as [(UInt8, DataCodingScheme.Alphabet, Bool, Int?)]
    )
    func readsDataCodingScheme(raw: UInt8, alphabet: DataCodingScheme.Alphabet, compressed: Bool, messageClass: Int?) {
        let scheme = DataCodingScheme(rawValue: raw)
        #expect(scheme.alphabet == alphabet)
        #expect(scheme.isCompressed == compressed)
        #expect(scheme.messageClass == messageClass)
    }

    /// Typographic punctuation and accents without GSM codes get near forms, and each change is reported.
    @Test func transliteratesAndReports() {
        let result = GSMTransliterator.transliterate("“Hi” – it’s… Łódź, crème brûlée")
        #expect(result.text == "\"Hi\" - it's... Lodz, crème brulée")
        #expect(result.replacements.map(\.original) == ["“", "”", "–", "’", "…", "Ł", "ó", "ź", "û"])
        #expect(result.replacements.first?.offset == 0)
        #expect(result.replacements[4] == .init(original: "…", replacement: "...", offset: 11))
        #expect(result.untranslatable.isEmpty)
        #expect(SMSEncoding.choose(for: result.text) == .gsm7)
    }

    /// A decomposed accent composes to its GSM letter. Characters with no near form stay and are listed.
    @Test func transliterationKeepsWhatItCannotReplace() {
        let result = GSMTransliterator.transliterate("e\u{301} 中 😀")
        #expect(result.text == "é 中 😀")
        #expect(result.replacements.count == 1)
        #expect(result.untranslatable == ["中", "😀"])
        #expect(GSMTransliterator.transliterate("plain").replacements.isEmpty)
    }
}
