import Testing

@testable import Config

/// The SMPP keys for TLS, long messages, paired sessions and outbind.
struct SMPPLinkOptionsTests {
    /// Returns a config with one SMPP provider and `extra` lines appended to it.
    func yaml(_ extra: String) -> String {
        """
        database: /tmp/lifeline.db
        providers:
          - id: carrier
            type: smpp
            host: smsc.example.net
            system_id: campus
            password: Pa55w0rd
        \(extra)
        """
    }

    func smpp(_ extra: String) throws -> (SMPPSettings, [ConfigWarning]) {
        let loaded = try LifelineConfig.parse(yaml: yaml(extra), fileName: "lifeline.yaml", environment: [:])
        guard case .smpp(let settings) = loaded.config.providers[0].kind else {
            Issue.record("not an SMPP provider")
            throw ConfigTestFailure.notSMPP
        }
        return (settings, loaded.warnings)
    }

    enum ConfigTestFailure: Error { case notSMPP }

    /// Without the new keys the link is plain TCP, UDH, one transceiver, no outbind.
    @Test func defaults() throws {
        let (settings, warnings) = try smpp("")
        #expect(settings.tls == false)
        #expect(settings.caFile == nil)
        #expect(settings.verify)
        #expect(settings.longMessages == .udh)
        #expect(settings.bind == .transceiver)
        #expect(settings.outbindPort == nil)
        #expect(warnings.isEmpty)
    }

    /// Every new key is read, a relative ca_file is resolved against the config's directory.
    @Test func allKeys() throws {
        let directory = try TemporaryDirectory()
        let caFile = try directory.write("carrier-ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let (settings, warnings) = try smpp(
            """
                tls: true
                ca_file: \(caFile)
                long_messages: sar
                bind: transmitter_receiver
                outbind_port: 2776
                outbind_address: 10.0.0.5
            """
        )
        #expect(settings.tls)
        #expect(settings.caFile == caFile)
        #expect(settings.verify)
        #expect(settings.longMessages == .sar)
        #expect(settings.bind == .transmitterReceiver)
        #expect(settings.outbindPort == 2776)
        #expect(settings.outbindAddress == "10.0.0.5")
        #expect(warnings.isEmpty)
    }

    /// verify: false loads, with a warning that names the key and the risk.
    @Test func verifyOffWarns() throws {
        let (settings, warnings) = try smpp("    tls: true\n    verify: false")
        #expect(settings.verify == false)
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("providers[0].verify is false") == true)
        #expect(warnings.first?.message.contains("anyone on the path") == true)
    }

    struct Rejected: Sendable, CustomTestStringConvertible {
        var extra: String
        var path: String
        var message: String
        var testDescription: String { path + ": " + message }
    }

    static let rejected: [Rejected] = [
        Rejected(
            extra: "    tls: true\n    ca_file: /nonexistent/carrier-ca.pem",
            path: "providers[0].ca_file",
            message: "ca_file /nonexistent/carrier-ca.pem does not exist; give the PEM file"
        ),
        Rejected(
            extra: "    ca_file: /etc/hostname",
            path: "providers[0].ca_file",
            message: "ca_file applies only to TLS; add tls: true"
        ),
        Rejected(extra: "    verify: false", path: "providers[0].verify", message: "verify applies only to TLS"),
        Rejected(
            extra: "    long_messages: concatenated",
            path: "providers[0].long_messages",
            message: "udh, sar, payload"
        ),
        Rejected(extra: "    bind: transmitter+receiver", path: "providers[0].bind", message: "transmitter_receiver"),
        Rejected(extra: "    outbind_port: 70000", path: "providers[0].outbind_port", message: "65535"),
        Rejected(extra: "    outbind_address: any", path: "providers[0].outbind_address", message: "IPv4 address"),
        Rejected(extra: "    tls: yes please", path: "providers[0].tls", message: "true or false"),
    ]

    /// Each bad value is one issue at its key, with the expected form or the fix.
    @Test(arguments: rejected) func rejectedValues(_ testCase: Rejected) {
        let issues = ConfigFixtures.issues(yaml(testCase.extra))
        #expect(issues.count == 1)
        #expect(issues.first?.path == testCase.path)
        #expect(issues.first?.message.contains(testCase.message) == true, "\(issues)")
    }

    /// The effective config renders the new keys and loads back to the same settings.
    @Test func renderedKeysReload() throws {
        let directory = try TemporaryDirectory()
        let caFile = try directory.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let source = yaml(
            "    tls: true\n    ca_file: \(caFile)\n    verify: false\n    long_messages: payload\n"
                + "    bind: transmitter_receiver\n    outbind_port: 2776"
        )
        let first = try LifelineConfig.parse(yaml: source, fileName: "lifeline.yaml", environment: [:]).config
        let rendered = first.renderEffective()
        let second = try LifelineConfig.parse(yaml: rendered, fileName: "rendered.yaml", environment: [:]).config
        guard case .smpp(let before) = first.providers[0].kind, case .smpp(let after) = second.providers[0].kind else {
            Issue.record("not an SMPP provider")
            return
        }
        var expected = before
        expected.password = after.password
        #expect(after == expected)
    }
}
