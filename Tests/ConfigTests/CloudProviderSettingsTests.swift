import Testing

@testable import Config

@Suite struct CloudProviderSettingsTests {
    static func yaml(_ providerLines: String) -> String {
        """
        database: /tmp/lifeline.db
        providers:
          - id: cloud
        \(providerLines)
        """
    }

    static let vonage = """
            type: vonage
            api_key: abcd1234
            api_secret: ${VONAGE_SECRET}
            from: Campus
        """

    static let environment = ["VONAGE_SECRET": "api-secret", "SIG": "sig-secret", "PROXY_PW": "proxy-pw"]

    /// `proxy`, its credentials and `no_proxy` are read into the provider's settings and rendered
    /// back by `config check` with the password masked.
    @Test func proxyKeysAreRead() throws {
        let yaml = Self.yaml(
            Self.vonage + """

                    proxy: http://proxy.campus.example:3128
                    proxy_username: gateway
                    proxy_password: ${PROXY_PW}
                    no_proxy: [localhost, .campus.example, 10.0.0.0/8]
                    signature_secret: ${SIG}
                """
        )
        let loaded = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: Self.environment)
        guard case .vonage(let settings) = loaded.config.providers.first?.kind else {
            Issue.record("expected a Vonage provider")
            return
        }
        #expect(
            settings.proxy
                == HTTPProxySettings(
                    url: "http://proxy.campus.example:3128",
                    username: "gateway",
                    password: Secret("proxy-pw", source: .environment(names: ["PROXY_PW"])),
                    noProxy: ["localhost", ".campus.example", "10.0.0.0/8"]
                )
        )
        let rendered = loaded.config.renderEffective()
        #expect(rendered.contains("proxy: http://proxy.campus.example:3128"), "\(rendered)")
        #expect(rendered.contains(#"no_proxy: [localhost, .campus.example, "10.0.0.0/8"]"#), "\(rendered)")
        #expect(!rendered.contains("proxy-pw"))
    }

    /// Each malformed proxy setting is an issue at its key with the expected form.
    @Test(arguments: [
        ("proxy: ftp://proxy:21", "providers[0].proxy", "http://host:port"),
        ("proxy: http://user:pw@proxy:3128", "providers[0].proxy", "without user name or password"),
        ("no_proxy: [localhost]", "providers[0].no_proxy", "needs proxy"),
        ("proxy: http://proxy:3128\n    proxy_username: gateway", "providers[0].proxy", "proxy_password"),
        ("proxy: http://proxy:3128\n    no_proxy: [\"bad host\"]", "providers[0].no_proxy[0]", "host names"),
        ("signature_method: sha384\n    signature_secret: ${SIG}", "providers[0].signature_method", "md5hash"),
    ])
    func malformedSettingsAreReported(line: String, path: String, words: String) {
        let issues = ConfigFixtures.issues(Self.yaml(Self.vonage + "\n    " + line), environment: Self.environment)
        #expect(issues.map(\.path) == [path], "\(issues)")
        #expect(issues.first?.message.contains(words) == true, "\(issues)")
    }

    /// A Vonage provider without a signature secret loads with a warning about unsigned receipts.
    /// With one, the secret and method are read and there is no warning.
    @Test func unsignedVonageWebhookIsWarnedAbout() throws {
        let unsigned = try LifelineConfig.parse(
            yaml: Self.yaml(Self.vonage),
            fileName: "lifeline.yaml",
            environment: Self.environment
        )
        #expect(unsigned.warnings.count == 1)
        #expect(unsigned.warnings.first?.message.contains("accepts unsigned delivery receipts") == true)
        #expect(unsigned.warnings.first?.message.contains("signature_secret_file") == true)

        let signed = try LifelineConfig.parse(
            yaml: Self.yaml(Self.vonage + "\n    signature_secret: ${SIG}\n    signature_method: sha256"),
            fileName: "lifeline.yaml",
            environment: Self.environment
        )
        #expect(signed.warnings.isEmpty)
        guard case .vonage(let settings) = signed.config.providers.first?.kind else {
            Issue.record("expected a Vonage provider")
            return
        }
        #expect(settings.signatureSecret?.revealed == "sig-secret")
        #expect(settings.signatureMethod == .sha256)
        #expect(!signed.config.renderEffective().contains("sig-secret"))
    }
}
