import Testing

@testable import Config

/// A modem whose `device`, `imei` or `iccid` key is written without a value.
struct ModemKeyWithoutValueTests {
    /// The key with no value is reported at its line, so the provider is not dropped from the pool
    /// and the config is not taken as valid.
    @Test(arguments: [
        ("device:", "providers[0].device"),
        ("device: ~", "providers[0].device"),
        ("imei:", "providers[0].imei"),
        ("iccid: null", "providers[0].iccid"),
    ])
    func keyWithoutValue(line: String, path: String) throws {
        let yaml = "database: .db\nproviders:\n  - id: modem-1\n    type: modem\n    \(line)"
        let issues = ConfigFixtures.issues(yaml)

        let issue = try #require(issues.first)
        #expect(issues.count == 1)
        #expect(issue.path == path)
        #expect(issue.line == 5)
        #expect(issue.message.contains("got nothing"))
    }

    /// A null `device` beside a valid `imei` still names the modem by identity.
    @Test func nullDeviceBesideIMEI() throws {
        let yaml = "database: .db\nproviders:\n  - id: modem-1\n    type: modem\n    device:\n    imei: \"356938035643809\""
        let config = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config

        #expect(config.providers.count == 1)
    }
}
