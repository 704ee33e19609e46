import Testing

@testable import CloudSMS

@Suite struct FormEncodingTests {
    /// Encoding keeps only unreserved characters and escapes the rest, `+` and space included.
    @Test func encodes() {
        let fields = [
            FormField(name: "To", value: "+447700900123"),
            FormField(name: "Body", value: "a b&c=d/é~"),
        ]
        #expect(FormEncoding.encode(fields) == "To=%2B447700900123&Body=a%20b%26c%3Dd%2F%C3%A9~")
    }

    /// With `spacesAsPlus` a space is `+` while a literal `+` stays escaped, and the result decodes back.
    @Test func encodesSpacesAsPlus() throws {
        let fields = [FormField(name: "Message", value: "x +1 = two words")]
        #expect(FormEncoding.encode(fields, spacesAsPlus: true) == "Message=x+%2B1+%3D+two+words")
        #expect(try FormEncoding.decode(FormEncoding.encode(fields, spacesAsPlus: true)) == fields)
    }

    /// Decoding turns `+` into a space and undoes escapes; it round-trips what it encodes.
    @Test func decodesAndRoundTrips() throws {
        #expect(try FormEncoding.decode("a=1+2&b=%2B3&c&&d=") == [
            FormField(name: "a", value: "1 2"),
            FormField(name: "b", value: "+3"),
            FormField(name: "c", value: ""),
            FormField(name: "d", value: ""),
        ])
        let fields = [FormField(name: "Body", value: "Grüße + 100% ✅ = ok"), FormField(name: "x y", value: "")]
        #expect(try FormEncoding.decode(FormEncoding.encode(fields)) == fields)
    }

    /// Broken escapes and escapes that are not UTF-8 are errors.
    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%C3%28"])
    func rejectsBrokenEscapes(body: String) {
        #expect(throws: FormDecodingError.invalidPercentEscape(body)) { try FormEncoding.decode(body) }
    }
}
