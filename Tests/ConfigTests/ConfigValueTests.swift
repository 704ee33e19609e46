import Testing

@testable import Config

@Suite struct ConfigValueTests {
    /// Decodes `text` as the value of key `v` with `decode`, returning the value and any issue message.
    private func decode<T>(_ text: String, environment: [String: String] = [:], _ decode: (ConfigValue) -> T?) throws
        -> (T?, String?)
    {
        let root = try #require(try YAMLLoader(fileName: "t.yaml").load("v: \(text)\n"))
        let node = try #require(root.mappingValue(forKey: "v"))
        let decoder = ConfigDecoder(fileName: "t.yaml", environment: environment, baseDirectory: "")
        let value = decode(ConfigValue(node: node, path: "v", decoder: decoder))
        return (value, decoder.issues.first?.message)
    }

    /// Durations parse with ms, s, m, h and d, alone or combined.
    @Test(arguments: [
        ("30d", Duration.seconds(30 * 86_400)),
        ("1d12h", .seconds(36 * 3600)),
        ("500ms", Duration.milliseconds(500)),
        ("5s", .seconds(5)),
        ("2m", .seconds(120)),
        ("1h", .seconds(3600)),
        ("1h30m", .seconds(5400)),
        ("0s", .zero),
    ])
    func durationParses(text: String, expected: Duration) {
        #expect(ConfigDurationFormat.parse(text) == expected)
    }

    /// Malformed durations are rejected.
    @Test(arguments: ["", "5", "5 s", "5sec", "s", "-5s", "1.5s", "5S", "ms5"])
    func durationRejects(text: String) {
        #expect(ConfigDurationFormat.parse(text) == nil)
    }

    /// Durations print with the largest exact unit.
    @Test(arguments: [
        (Duration.milliseconds(1500), "1500ms"),
        (.seconds(90), "90s"),
        (.seconds(120), "2m"),
        (.seconds(7200), "2h"),
        (.seconds(90 * 86_400), "90d"),
        (.seconds(36 * 3600), "36h"),
        (.zero, "0s"),
    ])
    func durationFormats(duration: Duration, expected: String) {
        #expect(ConfigDurationFormat.format(duration) == expected)
    }

    /// Booleans are exactly true or false; other spellings get the fix.
    @Test(
        arguments: [
            ("true", true, nil),
            ("false", false, nil),
            ("yes", nil, "expected true or false, got \"yes\"; write true"),
            ("off", nil, "expected true or false, got \"off\"; write false"),
            ("True", nil, "expected true or false, got \"True\"; write true"),
            ("\"true\"", nil, "expected true or false, got the quoted string \"true\"; remove the quotes"),
            ("maybe", nil, "expected true or false, got \"maybe\""),
        ] as [(String, Bool?, String?)]
    )
    func bools(text: String, expected: Bool?, message: String?) throws {
        let (value, issue) = try decode(text) { $0.bool() }

        #expect(value == expected)
        #expect(issue == message)
    }

    /// Integers are decimal, unquoted and within range.
    @Test(
        arguments: [
            ("10", 10, nil),
            ("0", nil, "expected an integer from 1 to 100, got 0"),
            ("1e3", nil, "expected an integer from 1 to 100, got \"1e3\""),
            ("'7'", nil, "expected an integer from 1 to 100, got the quoted string \"7\"; remove the quotes"),
            ("", nil, "expected an integer from 1 to 100, got nothing"),
            ("{a: 1}", nil, "expected an integer from 1 to 100, got a mapping"),
        ] as [(String, Int?, String?)]
    )
    func integers(text: String, expected: Int?, message: String?) throws {
        let (value, issue) = try decode(text) { $0.int(in: 1...100) }

        #expect(value == expected)
        #expect(issue == message)
    }

    /// `${NAME}` is expanded before conversion; an unset or malformed reference is an issue naming it.
    @Test(
        arguments: [
            ("${PORT}", ["PORT": "2775"], "2775", nil),
            ("a-${X}-b", ["X": "1"], "a-1-b", nil),
            ("$${X}", [:], "${X}", nil),
            ("cost $5", [:], "cost $5", nil),
            (
                "${MISSING}", [:], nil,
                "environment variable MISSING is not set; set it in the service's environment or write the value"
            ),
            (
                "${CREDENTIALS_DIRECTORY}/smpp.password", [:], nil,
                "environment variable CREDENTIALS_DIRECTORY is not set; systemd sets it only for a service "
                    + "with LoadCredential= or SetCredential= lines, so add them to the unit"
            ),
            ("${1BAD}", [:], nil, "invalid environment variable name \"1BAD\" in ${…}; use letters, digits and _"),
            ("${OPEN", [:], nil, "unterminated ${ in value; write ${NAME}, or $${ for a literal ${"),
        ] as [(String, [String: String], String?, String?)]
    )
    func expansion(text: String, environment: [String: String], expected: String?, message: String?) throws {
        let (value, issue) = try decode("\"\(text)\"", environment: environment) { $0.string() }

        #expect(value == expected)
        #expect(issue == message)
    }

    /// Phone numbers and senders are checked by shape only.
    @Test(arguments: [
        ("+447700900123", true, true),
        ("+1555010", false, false),
        ("+1234567890123456", false, false),
        ("07700900123", false, false),
        ("LIFELINE", false, true),
        ("Campus IT", false, true),
        ("TwelveLetter", false, false),
        ("12345", false, false),
    ])
    func phoneAndSenderShapes(text: String, isPhone: Bool, isSender: Bool) {
        #expect(ValueShape.isPhoneNumber(text) == isPhone)
        #expect(ValueShape.isSender(text) == isSender)
    }

    /// An SMPP source may also be a short code or a national number.
    @Test(arguments: [
        ("LIFELINE", true),
        ("12345", true),
        ("07700900123", true),
        ("+447700900123", true),
        ("123456789012345678901", false),
        ("Campus-IT", false),
        ("", false),
    ])
    func smppSourceShapes(text: String, isValid: Bool) {
        #expect(ValueShape.isSMPPSource(text) == isValid)
    }

    /// Template placeholders must be `{name}`.
    @Test(
        arguments: [
            ("Hello {name}", nil),
            ("No fields", nil),
            ("Hello {name", "unmatched { in template; placeholders are written {name}"),
            ("Hello name}", "unmatched } in template; placeholders are written {name}"),
            (
                "Hello {First Name}",
                "invalid placeholder {First Name} in template; use lower-case letters, digits and _ between the braces"
            ),
        ] as [(String, String?)]
    )
    func templateShapes(text: String, problem: String?) {
        #expect(TemplateShape.problem(in: text) == problem)
    }
}
