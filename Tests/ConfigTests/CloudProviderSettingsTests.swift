import Foundation
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

    /// A base URL with an empty, zero, oversized or non-numeric port is an issue at `base_url`
    /// that states the port range.
    @Test(arguments: [
        "https://api.example:/", "https://api.example:0", "https://api.example:65536",
        "https://api.example:443x", "https://apipostgres://",
    ])
    func malformedBaseURLIsReported(url: String) {
        let issues = ConfigFixtures.issues(
            Self.yaml(Self.vonage + "\n    base_url: \"\(url)\""),
            environment: Self.environment
        )
        #expect(issues.map(\.path) == ["providers[0].base_url"], "\(issues)")
        #expect(issues.first?.message.contains("port from 1 to 65535") == true, "\(issues)")
    }

    /// Trailing slashes leave a base URL in one pass, so the effective config renders the URL that
    /// loads, and loading that rendering gives it again.
    @Test(arguments: [
        ("http://127.0.0.1:8080//", "http://127.0.0.1:8080"),
        ("https://[::1]:8443/", "https://[::1]:8443"),
        ("https://api.example/v1/", "https://api.example/v1"),
    ])
    func baseURLLosesTrailingSlashes(url: String, stored: String) throws {
        let loaded = try LifelineConfig.parse(
            yaml: Self.yaml(Self.vonage + "\n    base_url: \"\(url)\""),
            fileName: "lifeline.yaml",
            environment: Self.environment
        )
        guard case .vonage(let settings) = loaded.config.providers.first?.kind else {
            Issue.record("expected a Vonage provider")
            return
        }
        #expect(settings.baseURL == stored)
        let again = try LifelineConfig.parse(
            yaml: Self.yaml(Self.vonage + "\n    base_url: \"\(stored)\""),
            fileName: "lifeline.yaml",
            environment: Self.environment
        )
        guard case .vonage(let reloaded) = again.config.providers.first?.kind else {
            Issue.record("expected a Vonage provider after the reload")
            return
        }
        #expect(reloaded.baseURL == stored)
    }

    /// A password written into the proxy URL is an issue that shows the URL with the password
    /// masked and names the keys to move it to.
    @Test func proxyURLPasswordIsMasked() {
        let issues = ConfigFixtures.issues(
            Self.yaml(Self.vonage + "\n    proxy: http://gateway:s3cret-proxy-pw@proxy.campus.example:3128"),
            environment: Self.environment
        )
        #expect(issues.map(\.path) == ["providers[0].proxy"], "\(issues)")
        let message = issues.first?.message ?? ""
        #expect(message.contains("http://gateway:***@proxy.campus.example:3128"), "\(message)")
        #expect(message.contains("proxy_username"), "\(message)")
        #expect(message.contains("proxy_password_file"), "\(message)")
        #expect(!message.contains("s3cret-proxy-pw"), "\(message)")
    }

    static let pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"

    /// Provider lines for each cloud type, without `ca_file`.
    static let cloudTypes = [
        vonage,
        """
            type: twilio
            account_sid: AC0123456789abcdef0123456789abcdef
            auth_token: ${VONAGE_SECRET}
            from: Campus
        """,
        """
            type: sns
            region: eu-west-2
            access_key_id: AKIDEXAMPLE
            secret_access_key: ${VONAGE_SECRET}
        """,
    ]

    /// `ca_file` is read for Twilio, Vonage and SNS, a relative path starting from the config
    /// file's directory, and `config check` renders it so the rendered config loads the same.
    @Test(arguments: cloudTypes)
    func caFileIsRead(_ providerLines: String) throws {
        let directory = try TemporaryDirectory()
        let caFile = try directory.write("campus-ca.pem", Self.pem, permissions: 0o644)
        let configFile = try directory.write(
            "lifeline.yaml",
            Self.yaml(providerLines + "\n    proxy: http://proxy.campus.example:3128\n    ca_file: campus-ca.pem")
        )
        let loaded = try LifelineConfig.load(path: configFile, environment: Self.environment)
        #expect(Self.caFile(of: loaded.config) == caFile)

        let rendered = loaded.config.renderEffective()
        #expect(rendered.contains("ca_file: \(caFile)"), "\(rendered)")
        let again = try LifelineConfig.parse(yaml: rendered, fileName: "rendered.yaml", environment: Self.environment)
        #expect(Self.caFile(of: again.config) == caFile)
    }

    /// Returns the `ca_file` of the first provider, when it is a cloud provider.
    static func caFile(of config: LifelineConfig) -> String? {
        switch config.providers.first?.kind {
        case .twilio(let settings): settings.caFile
        case .vonage(let settings): settings.caFile
        case .sns(let settings): settings.caFile
        default: nil
        }
    }

    /// A `ca_file` that is missing, a directory or not PEM is one issue at the key naming the
    /// path and the fix.
    @Test(arguments: [
        ("missing.pem", "does not exist; give the PEM file with the CA certificate"),
        ("certs", "cannot be read: it is a directory; give the PEM file"),
        ("key.pem", "contains no PEM certificate (no -----BEGIN CERTIFICATE----- line)"),
    ])
    func badCAFileIsReported(name: String, words: String) throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(directory.path)/certs", withIntermediateDirectories: false)
        try directory.write("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n")
        let path = "\(directory.path)/\(name)"
        let issues = ConfigFixtures.issues(Self.yaml(Self.vonage + "\n    ca_file: \(path)"), environment: Self.environment)
        #expect(issues.map(\.path) == ["providers[0].ca_file"], "\(issues)")
        let message = issues.first?.message ?? ""
        #expect(message.contains("ca_file \(path) "), "\(message)")
        #expect(message.contains(words), "\(message)")
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
