import Testing

@testable import CloudSMS

/// Expected signatures were computed independently with Python's hmac and hashlib modules:
/// base64(HMAC-SHA1(token, url + name1 + value1 + ... with names sorted)).
@Suite struct TwilioSignatureTests {
    static let token = "f00dfeedf00dfeedf00dfeedf00dfeed"
    static let url = "https://gateway.example.org/webhooks/twilio"
    static let callback = [
        FormField(name: "MessageSid", value: "SM0123456789abcdef0123456789abcdef"),
        FormField(name: "MessageStatus", value: "undelivered"),
        FormField(name: "ErrorCode", value: "30003"),
        FormField(name: "AccountSid", value: "AC0123456789abcdef0123456789abcdef"),
        FormField(name: "To", value: "+447700900123"),
        FormField(name: "From", value: "+15005550006"),
        FormField(name: "ApiVersion", value: "2010-04-01"),
    ]

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var token: String
        var url: String
        var fields: [FormField]
        var signature: String
        var testDescription: String { name }
    }

    static let vectors = [
        Vector(
            name: "voice example with query string",
            token: "12345",
            url: "https://mycompany.com/myapp.php?foo=1&bar=2",
            fields: [
                FormField(name: "Digits", value: "1234"),
                FormField(name: "To", value: "+18005551212"),
                FormField(name: "From", value: "+12349013030"),
                FormField(name: "Caller", value: "+12349013030"),
                FormField(name: "CallSid", value: "CA1234567890ABCDE"),
            ],
            signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ),
        Vector(name: "status callback", token: token, url: url, fields: callback, signature: "7oCVao6KhVMyA63s7nfPlS+K1ug="),
        Vector(name: "no parameters", token: token, url: url, fields: [], signature: "iQZite7PGzcePRLg6CT2x+KSiUY="),
        Vector(
            name: "non-ASCII value and port",
            token: token,
            url: "https://gateway.example.org:8443/webhooks/twilio?x=1",
            fields: [
                FormField(name: "MessageSid", value: "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                FormField(name: "Body", value: "Grüße & ünïcödé = 100%"),
            ],
            signature: "ea3SeBrw+6DckD0+IRfvPGT1S7o="
        ),
    ]

    /// The computed signature matches the independently computed one, and verification accepts it.
    @Test(arguments: vectors)
    func matchesKnownVector(_ vector: Vector) {
        let signer = TwilioSignature(authToken: vector.token)
        #expect(signer.expectedSignature(url: vector.url, parameters: vector.fields) == vector.signature)
        #expect(signer.isValid(signature: vector.signature, url: vector.url, parameters: vector.fields))
    }

    /// Any change to the signature, the URL, a parameter or the token is rejected.
    @Test func rejectsTampering() {
        let signer = TwilioSignature(authToken: Self.token)
        let good = "7oCVao6KhVMyA63s7nfPlS+K1ug="
        var changedStatus = Self.callback
        changedStatus[1].value = "delivered"
        var extraField = Self.callback
        extraField.append(FormField(name: "Body", value: "x"))

        #expect(!signer.isValid(signature: "7oCVao6KhVMyA63s7nfPlS+K1uh=", url: Self.url, parameters: Self.callback))
        #expect(!signer.isValid(signature: String(good.dropLast()), url: Self.url, parameters: Self.callback))
        #expect(!signer.isValid(signature: "", url: Self.url, parameters: Self.callback))
        #expect(!signer.isValid(signature: nil, url: Self.url, parameters: Self.callback))
        #expect(!signer.isValid(signature: good, url: Self.url + "/", parameters: Self.callback))
        #expect(!signer.isValid(signature: good, url: "http://gateway.example.org/webhooks/twilio", parameters: Self.callback))
        #expect(!signer.isValid(signature: good, url: Self.url, parameters: changedStatus))
        #expect(!signer.isValid(signature: good, url: Self.url, parameters: extraField))
        #expect(!TwilioSignature(authToken: "wrong").isValid(signature: good, url: Self.url, parameters: Self.callback))
    }

    /// The signed text is independent of the order the fields arrived in.
    @Test func ignoresFieldOrder() {
        let signer = TwilioSignature(authToken: Self.token)
        #expect(signer.isValid(signature: "7oCVao6KhVMyA63s7nfPlS+K1ug=", url: Self.url, parameters: Self.callback.reversed()))
    }

    static let repeatedFields = [
        FormField(name: "MessageSid", value: "SM0123456789abcdef0123456789abcdef"),
        FormField(name: "MessageStatus", value: "delivered"),
        FormField(name: "Tag", value: "urgent"),
        FormField(name: "Tag", value: "drill"),
        FormField(name: "Tag", value: "urgent"),
    ]
    /// Computed by the twilio package's `RequestValidator.compute_signature` (twilio 7.17.0) through
    /// Tests/Peers/signature_vectors.py. Signing `Tagurgent` twice would give `/c7HSJNNDb0X2pygjdG0O0TGle8=`.
    static let repeatedFieldsSignature = "Eqfr4UQVP5GsEeCK15sglug1KPE="

    /// A name and value sent twice are signed once, as Twilio's library does, so its signature is
    /// accepted with or without the copy. Changing a value or dropping the distinct one is rejected.
    @Test func exactRepeatCountsOnce() {
        let signer = TwilioSignature(authToken: Self.token)
        let fields = Self.repeatedFields
        #expect(signer.expectedSignature(url: Self.url, parameters: fields) == Self.repeatedFieldsSignature)
        #expect(signer.isValid(signature: Self.repeatedFieldsSignature, url: Self.url, parameters: fields))
        #expect(signer.isValid(signature: Self.repeatedFieldsSignature, url: Self.url, parameters: fields.dropLast()))

        var changedCopy = fields
        changedCopy[4].value = "urgenT"
        var withoutDrill = fields
        withoutDrill.remove(at: 3)
        #expect(!signer.isValid(signature: Self.repeatedFieldsSignature, url: Self.url, parameters: changedCopy))
        #expect(!signer.isValid(signature: Self.repeatedFieldsSignature, url: Self.url, parameters: withoutDrill))
        #expect(!signer.isValid(signature: "/c7HSJNNDb0X2pygjdG0O0TGle8=", url: Self.url, parameters: fields))
    }
}
