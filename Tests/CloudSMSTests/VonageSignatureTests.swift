import Testing

@testable import CloudSMS

@Suite struct VonageSignatureTests {
    static let secret = "VonageSignatureSecret0123456789abcdef"
    static let receipt = [
        FormField(name: "messageId", value: "0A0000001234ABCD"),
        FormField(name: "status", value: "delivered"),
        FormField(name: "err-code", value: "0"),
        FormField(name: "api-key", value: "abcd1234"),
        FormField(name: "timestamp", value: "1767323045"),
    ]

    /// Expected values computed independently with Python's hashlib and hmac over
    /// "&api-key=abcd1234&err-code=0&messageId=0A0000001234ABCD&status=delivered&timestamp=1767323045".
    @Test(arguments: [
        (VonageSignature.Method.md5hash, "26910fac7db3c986ef8dc4d00a4e215d"),
        (.sha256, "4e12a9f408e341366d46006682878a0ab69ba5fa8334459a605504da607d3fc1"),
    ])
    func signedTextAndDigest(method: VonageSignature.Method, expected: String) {
        #expect(
            VonageSignature.signedText(Self.receipt)
                == "&api-key=abcd1234&err-code=0&messageId=0A0000001234ABCD&status=delivered&timestamp=1767323045"
        )
        #expect(VonageSignature(secret: Self.secret, method: method).expectedSignature(parameters: Self.receipt) == expected)
    }

    /// A matching sig is valid in upper or lower case. A tampered field, a wrong, empty or
    /// missing sig, another method or another secret is invalid.
    @Test func validity() {
        let signer = VonageSignature(secret: Self.secret, method: .sha256)
        let sig = signer.expectedSignature(parameters: Self.receipt)
        let signed = Self.receipt + [FormField(name: "sig", value: sig)]
        #expect(signer.isValid(parameters: signed))
        #expect(signer.isValid(parameters: Self.receipt + [FormField(name: "sig", value: sig.uppercased())]))

        var tampered = signed
        tampered[1].value = "failed"
        #expect(!signer.isValid(parameters: tampered))
        #expect(!signer.isValid(parameters: Self.receipt + [FormField(name: "sig", value: String(repeating: "0", count: 64))]))
        #expect(!signer.isValid(parameters: Self.receipt + [FormField(name: "sig", value: "")]))
        #expect(!signer.isValid(parameters: Self.receipt))
        #expect(!VonageSignature(secret: Self.secret, method: .sha512).isValid(parameters: signed))
        #expect(!VonageSignature(secret: "another-secret", method: .sha256).isValid(parameters: signed))
    }

    /// `&` and `=` inside values become `_`, so a value cannot forge another parameter.
    @Test func separatorsInValuesAreReplaced() {
        let fields = [FormField(name: "client-ref", value: "a=1&b=2"), FormField(name: "b", value: "x")]
        #expect(VonageSignature.signedText(fields) == "&b=x&client-ref=a_1_b_2")
    }
}
