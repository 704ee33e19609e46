import Foundation
import Testing

@testable import Config

@Suite struct SecretTests {
    /// A secret prints as the mask through every printing path.
    @Test func secretPrintsMasked() {
        let secret = Secret("hunter2-very-secret", source: .inline)
        var dumped = ""
        dump(secret, to: &dumped)

        #expect(secret.description == "********")
        #expect(secret.debugDescription == "********")
        #expect("\(secret)" == "********")
        #expect(String(reflecting: secret) == "********")
        #expect(!dumped.contains("hunter2"))
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }

    /// A secret file's trailing newlines are trimmed and inner ones kept.
    @Test func secretFileTrimmed() throws {
        let directory = try TemporaryDirectory()
        try directory.write("smpp.password", "Pa55w0rd\r\n\n")
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                system_id: campus
                password_file: smpp.password
            """
        let loaded = try LifelineConfig.parse(yaml: yaml, fileName: directory.path + "/lifeline.yaml", environment: [:])

        guard case .smpp(let smpp) = loaded.config.providers[0].kind else {
            Issue.record("provider is not smpp")
            return
        }
        #expect(smpp.password.revealed == "Pa55w0rd")
        #expect(smpp.password.source == .file(path: directory.path + "/smpp.password"))
    }

    /// `${CREDENTIALS_DIRECTORY}` in a `_file` path reads a systemd credential.
    @Test func systemdCredentialPath() throws {
        let credentials = try TemporaryDirectory()
        try credentials.write("vonage.secret", "vonage-secret-value\n", permissions: 0o400)
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: vonage
                type: vonage
                api_key: abcd1234
                api_secret_file: ${CREDENTIALS_DIRECTORY}/vonage.secret
                from: Campus
            """
        let loaded = try LifelineConfig.parse(
            yaml: yaml,
            fileName: "lifeline.yaml",
            environment: ["CREDENTIALS_DIRECTORY": credentials.path]
        )

        guard case .vonage(let vonage) = loaded.config.providers[0].kind else {
            Issue.record("provider is not vonage")
            return
        }
        #expect(vonage.apiSecret.revealed == "vonage-secret-value")
        #expect(vonage.from == "Campus")
        #expect(vonage.baseURL == VonageSettings.defaultBaseURL)
    }

    /// `${NAME}` expands inside a longer value and `$${` stays a literal `${`.
    @Test func environmentExpansion() throws {
        let yaml = """
            database: ${STATE_DIRECTORY}/lifeline.db
            templates:
              literal: "Costs $${price}"
            providers:
              - id: aws
                type: sns
                region: eu-west-2
                access_key_id: AKIAEXAMPLE
                secret_access_key: ${AWS_SECRET}
            """
        let config = try LifelineConfig.parse(
            yaml: yaml,
            fileName: "lifeline.yaml",
            environment: ["STATE_DIRECTORY": "/var/lib/lifeline", "AWS_SECRET": "aws-secret-value"]
        ).config

        #expect(config.database == "/var/lib/lifeline/lifeline.db")
        guard case .sns(let sns) = config.providers[0].kind else {
            Issue.record("provider is not sns")
            return
        }
        #expect(sns.secretAccessKey.revealed == "aws-secret-value")
        #expect(sns.secretAccessKey.source == .environment(names: ["AWS_SECRET"]))
        #expect(sns.effectiveEndpoint == "https://sns.eu-west-2.amazonaws.com")
    }

    /// A secret file path that is a directory is reported with its path.
    @Test func secretFileIsDirectory() throws {
        let directory = try TemporaryDirectory()
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                system_id: campus
                password_file: \(directory.path)
            """
        let issues = ConfigFixtures.issues(yaml)

        #expect(issues.map(\.message) == ["cannot read secret file \(directory.path): it is a directory"])
    }

    /// No secret value reaches an issue, the rendered config or the config's own description.
    @Test func secretsNeverPrinted() throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("short.token", "tok-file-9\n")
        let yaml = """
            database: /tmp/lifeline.db
            api_tokens:
              - name: ops
                role: admin
                token: tok-inline-7
              - name: cron
                role: send
                token_file: \(tokenFile)
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                system_id: campus
                password: ${SMPP_PASSWORD}
              - id: modem-1
                type: modem
                device: /dev/ttyUSB0
                pin: pin-not-digits
            """
        let secrets = ["tok-inline-7", "tok-file-9", "LongPassw0rd-42", "pin-not-digits"]
        var description = ""
        do {
            _ = try LifelineConfig.parse(
                yaml: yaml,
                fileName: "lifeline.yaml",
                environment: ["SMPP_PASSWORD": "LongPassw0rd-42"]
            )
            Issue.record("config with four bad secrets loaded")
        } catch {
            description = error.description
        }

        #expect(description.split(separator: "\n").count == 4, "\(description)")
        for secret in secrets {
            #expect(!description.contains(secret), "\(secret) appears in: \(description)")
        }
    }

    /// A loaded config's description and rendering mask every secret.
    @Test func loadedSecretsMasked() throws {
        let yaml = """
            database: /tmp/lifeline.db
            api_tokens:
              - name: ops
                role: admin
                token: ops-token-0123456789abcdef
            providers:
              - id: twilio
                type: twilio
                account_sid: AC0123
                auth_token: twilio-auth-token-inline
                from: "+15550100"
            """
        let config = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config
        let rendered = config.renderEffective()
        let described = "\(config)"

        for secret in ["ops-token-0123456789abcdef", "twilio-auth-token-inline"] {
            #expect(!rendered.contains(secret))
            #expect(!described.contains(secret))
        }
        #expect(rendered.contains("auth_token: \"********\"  # from inline"))
    }

    /// A config file with inline secrets warns when group or others can read it, and not when private.
    @Test func inlineSecretPermissionWarning() throws {
        let directory = try TemporaryDirectory()
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                system_id: campus
                password: Pa55w0rd
            """
        let shared = try directory.write("shared.yaml", yaml, permissions: 0o644)
        let private_ = try directory.write("private.yaml", yaml, permissions: 0o600)

        let sharedWarnings = try LifelineConfig.load(path: shared, environment: [:]).warnings
        let privateWarnings = try LifelineConfig.load(path: private_, environment: [:]).warnings

        #expect(sharedWarnings.count == 1)
        #expect(sharedWarnings.first?.file == shared)
        #expect(sharedWarnings.first?.message.contains("providers[0].password") == true)
        #expect(sharedWarnings.first?.message.contains("mode 644") == true)
        #expect(sharedWarnings.first?.message.contains("Pa55w0rd") == false)
        #expect(privateWarnings.isEmpty)
    }

    /// Secrets from files or the environment do not trigger the permission warning.
    @Test func noWarningWithoutInlineSecrets() throws {
        let directory = try TemporaryDirectory()
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                system_id: campus
                password: ${SMPP_PASSWORD}
            """
        let path = try directory.write("lifeline.yaml", yaml, permissions: 0o644)

        let warnings = try LifelineConfig.load(path: path, environment: ["SMPP_PASSWORD": "Pa55w0rd"]).warnings

        #expect(warnings.isEmpty)
    }

    /// A secret file readable by all users is loaded with a warning naming it.
    @Test func worldReadableSecretFileWarns() throws {
        let directory = try TemporaryDirectory()
        let passwordFile = try directory.write("smpp.password", "Pa55w0rd\n", permissions: 0o644)
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                system_id: campus
                password_file: \(passwordFile)
            """
        let warnings = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).warnings

        #expect(warnings.map(\.file) == [passwordFile])
        #expect(warnings.first?.message.contains("chmod o-r") == true)
    }
}
