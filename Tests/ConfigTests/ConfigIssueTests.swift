import Testing

@testable import Config

/// One invalid config and the single issue it must produce.
struct IssueCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var environment: [String: String] = [:]
    var line: Int
    var column: Int
    var path: String
    /// Text the message must contain: the expected form or the fix.
    var message: String

    var testDescription: String { name }
}

/// Builds a valid config with one SMPP provider, then appends `extra` lines.
private func smppConfig(_ extra: String = "", password: String = "password: ${SMPP_PASSWORD}") -> String {
    """
    database: /tmp/lifeline.db
    providers:
      - id: carrier
        type: smpp
        host: 127.0.0.1
        system_id: campus
        \(password)
    \(extra)
    """
}

private let smppEnvironment = ["SMPP_PASSWORD": "Pa55w0rd"]

private let issueCases: [IssueCase] = [
    IssueCase(
        name: "unknown top-level key",
        yaml: "database: /tmp/lifeline.db\nlog_levle: debug\n"
            + smppConfig().split(separator: "\n").dropFirst().joined(separator: "\n"),
        environment: smppEnvironment,
        line: 2,
        column: 1,
        path: "log_levle",
        message: "unknown key \"log_levle\" (did you mean \"log_level\"?); valid keys here: database, log_level"
    ),
    IssueCase(
        name: "unknown key in provider",
        yaml: smppConfig("    passwrd: secret"),
        environment: smppEnvironment,
        line: 8,
        column: 5,
        path: "providers[0].passwrd",
        message: "unknown key \"passwrd\" (did you mean \"password\"?)"
    ),
    IssueCase(
        name: "integer with a typo",
        yaml: smppConfig("    port: 27x5"),
        environment: smppEnvironment,
        line: 8,
        column: 11,
        path: "providers[0].port",
        message: "expected an integer from 1 to 65535, got \"27x5\""
    ),
    IssueCase(
        name: "list where an integer belongs",
        yaml: smppConfig("    port: [2775]"),
        environment: smppEnvironment,
        line: 8,
        column: 11,
        path: "providers[0].port",
        message: "expected an integer from 1 to 65535, got a list"
    ),
    IssueCase(
        name: "quoted integer",
        yaml: smppConfig("    window: \"10\""),
        environment: smppEnvironment,
        line: 8,
        column: 13,
        path: "providers[0].window",
        message: "got the quoted string \"10\"; remove the quotes"
    ),
    IssueCase(
        name: "missing required key",
        yaml:
            "database: /tmp/lifeline.db\nproviders:\n  - id: carrier\n"
            + "    type: smpp\n    system_id: campus\n    password: x\n",
        line: 3,
        column: 5,
        path: "providers[0].host",
        message: "missing required key; expected the SMSC's host name or IP address"
    ),
    IssueCase(
        name: "missing providers",
        yaml: "database: /tmp/lifeline.db\n",
        line: 1,
        column: 1,
        path: "providers",
        message: "missing required key; expected a list of providers in failover order"
    ),
    IssueCase(
        name: "empty provider list",
        yaml: "database: /tmp/lifeline.db\nproviders: []\n",
        line: 2,
        column: 12,
        path: "providers",
        message: "at least one provider is required"
    ),
    IssueCase(
        name: "duration without a unit",
        yaml: smppConfig("    enquire_link: 30"),
        environment: smppEnvironment,
        line: 8,
        column: 19,
        path: "providers[0].enquire_link",
        message: "expected a duration such as 500ms, 5s, 2m or 1h, got \"30\"; add a unit, for example 30s"
    ),
    IssueCase(
        name: "duration with a spelt-out unit",
        yaml: smppConfig("queue:\n  lease: 5 sec"),
        environment: smppEnvironment,
        line: 9,
        column: 10,
        path: "queue.lease",
        message: "expected a duration such as 500ms, 5s, 2m or 1h, got \"5 sec\""
    ),
    IssueCase(
        name: "duration out of range",
        yaml: smppConfig("breaker:\n  cooldown: 2h"),
        environment: smppEnvironment,
        line: 9,
        column: 13,
        path: "breaker.cooldown",
        message: "expected a duration from 1s to 1h, got \"2h\""
    ),
    IssueCase(
        name: "misspelt enum value",
        yaml: smppConfig("    bind: tranceiver"),
        environment: smppEnvironment,
        line: 8,
        column: 11,
        path: "providers[0].bind",
        message:
            "expected one of transceiver, transmitter, receiver, transmitter_receiver, got \"tranceiver\" (did you mean \"transceiver\"?)"
    ),
    IssueCase(
        name: "yes for a boolean",
        yaml: smppConfig("    allow_long_password: yes"),
        environment: smppEnvironment,
        line: 8,
        column: 26,
        path: "providers[0].allow_long_password",
        message: "expected true or false, got \"yes\"; write true"
    ),
    IssueCase(
        name: "duplicate provider id",
        yaml: smppConfig("  - id: carrier\n    type: modem\n    device: /dev/ttyUSB0"),
        environment: smppEnvironment,
        line: 8,
        column: 9,
        path: "providers[1].id",
        message: "duplicate provider id \"carrier\" (first used at line 3)"
    ),
    IssueCase(
        name: "unknown provider type",
        yaml: "database: /tmp/lifeline.db\nproviders:\n  - id: sms\n"
            + "    type: twillio\n    account_sid: AC1\n",
        line: 4,
        column: 11,
        path: "providers[0].type",
        message: "expected one of twilio, vonage, sns, smpp, modem, got \"twillio\" (did you mean \"twilio\"?)"
    ),
    IssueCase(
        name: "YAML syntax error",
        yaml: "database: /tmp/lifeline.db\nproviders:\n  - id: carrier\n"
            + "    type: smpp\n   host: 127.0.0.1\n",
        line: 5,
        column: 4,
        path: "",
        message:
            "invalid YAML: did not find expected '-' indicator (while parsing a block collection at line 3, column 3)"
    ),
    IssueCase(
        name: "duplicate key",
        yaml: smppConfig("    host: 10.0.0.1"),
        environment: smppEnvironment,
        line: 8,
        column: 5,
        path: "providers[0].host",
        message: "duplicate key \"host\" (first given at line 5); keep one of them"
    ),
    IssueCase(
        name: "missing secret file",
        yaml: smppConfig(password: "password_file: /nonexistent/lifeline/smpp.password"),
        line: 7,
        column: 20,
        path: "providers[0].password_file",
        message: "secret file not found: /nonexistent/lifeline/smpp.password"
    ),
    IssueCase(
        name: "unset environment variable",
        yaml: smppConfig(),
        line: 7,
        column: 15,
        path: "providers[0].password",
        message: "environment variable SMPP_PASSWORD is not set"
    ),
    IssueCase(
        name: "missing secret",
        yaml:
            "database: /tmp/lifeline.db\nproviders:\n  - id: carrier\n"
            + "    type: smpp\n    host: 127.0.0.1\n    system_id: campus\n",
        line: 3,
        column: 5,
        path: "providers[0].password",
        message: "missing required secret; give password_file: /path/to/file, or password: ${ENV_NAME}"
    ),
    IssueCase(
        name: "secret given twice",
        yaml: smppConfig("    password_file: /etc/lifeline/smpp.password"),
        environment: smppEnvironment,
        line: 8,
        column: 20,
        path: "providers[0].password_file",
        message: "give either password or password_file, not both"
    ),
    IssueCase(
        name: "long SMPP password",
        yaml: smppConfig(password: "password: Pa55w0rd9"),
        line: 7,
        column: 15,
        path: "providers[0].password",
        message: "the password has 9 characters but SMPP 3.4 allows at most 8; set allow_long_password: true"
    ),
    IssueCase(
        name: "long system_id",
        yaml: smppConfig().replacingOccurrences(of: "system_id: campus", with: "system_id: campus-gateway-01"),
        environment: smppEnvironment,
        line: 6,
        column: 16,
        path: "providers[0].system_id",
        message: "expected a system_id of 1 to 15 characters (SMPP 3.4 limit), got \"campus-gateway-01\""
    ),
    IssueCase(
        name: "non-standard baud rate",
        yaml:
            "database: /tmp/lifeline.db\nproviders:\n  - id: modem-1\n"
            + "    type: modem\n    device: /dev/ttyUSB0\n"
            + "    baud: 100000\n",
        line: 6,
        column: 11,
        path: "providers[0].baud",
        message: "expected one of the standard baud rates 1200, 2400"
    ),
    IssueCase(
        name: "admin number without +",
        yaml: smppConfig("admins: [\"07700900123\"]"),
        environment: smppEnvironment,
        line: 8,
        column: 10,
        path: "admins[0]",
        message: "expected an international number: + then 8 to 15 digits"
    ),
    IssueCase(
        name: "provider id with capitals",
        yaml: smppConfig().replacingOccurrences(of: "id: carrier", with: "id: Carrier"),
        environment: smppEnvironment,
        line: 3,
        column: 9,
        path: "providers[0].id",
        message: "expected an id of lower-case letters, digits and -"
    ),
    IssueCase(
        name: "YAML alias",
        yaml: "database: &db /tmp/lifeline.db\nproviders: []\n",
        line: 1,
        column: 11,
        path: "database",
        message: "YAML anchors (&db) are not supported; write the value out in full"
    ),
    IssueCase(
        name: "duplicate token name",
        yaml: smppConfig(
            "api_tokens:\n  - {name: ops, role: admin, token: aaaaaaaaaaaaaaaa1}\n"
                + "  - {name: ops, role: read, token: aaaaaaaaaaaaaaaa2}"
        ),
        environment: smppEnvironment,
        line: 10,
        column: 12,
        path: "api_tokens[1].name",
        message: "duplicate token name \"ops\"; give each token its own name"
    ),
    IssueCase(
        name: "same token value twice",
        yaml: smppConfig(
            "api_tokens:\n  - {name: ops, role: admin, token: aaaaaaaaaaaaaaaa1}\n"
                + "  - {name: cron, role: read, token: aaaaaaaaaaaaaaaa1}"
        ),
        environment: smppEnvironment,
        line: 10,
        column: 5,
        path: "api_tokens[1]",
        message: "this token has the same value as token \"ops\"; give each its own token"
    ),
    IssueCase(
        name: "short API token",
        yaml: smppConfig("api_tokens:\n  - name: ops\n    role: admin\n    token: ${OPS_TOKEN}"),
        environment: smppEnvironment.merging(["OPS_TOKEN": "changeme"]) { $1 },
        line: 11,
        column: 12,
        path: "api_tokens[0].token",
        message: "the token has 8 characters; use at least 16"
    ),
    IssueCase(
        name: "bad SNS region",
        yaml: "database: /tmp/lifeline.db\nproviders:\n  - id: aws\n    type: sns\n"
            + "    region: London\n    access_key_id: AKIA1\n    secret_access_key: x\n",
        line: 5,
        column: 13,
        path: "providers[0].region",
        message: "expected an AWS region such as eu-west-2, got \"London\""
    ),
    IssueCase(
        name: "Twilio base_url without scheme",
        yaml: "database: /tmp/lifeline.db\nproviders:\n  - id: twilio\n    type: twilio\n    account_sid: AC1\n"
            + "    auth_token: x\n    from: \"+15550100\"\n    base_url: api.twilio.com\n",
        line: 8,
        column: 15,
        path: "providers[0].base_url",
        message: "expected an http:// or https:// URL, got \"api.twilio.com\""
    ),
    IssueCase(
        name: "Vonage sender too long",
        yaml: "database: /tmp/lifeline.db\nproviders:\n  - id: vonage\n    type: vonage\n    api_key: k\n"
            + "    api_secret: x\n    from: CampusAlertsTeam\n",
        line: 7,
        column: 11,
        path: "providers[0].from",
        message: "or an alphanumeric sender of 1 to 11 letters and digits, got \"CampusAlertsTeam\""
    ),
    IssueCase(
        name: "unknown log level",
        yaml: smppConfig("log_level: warn"),
        environment: smppEnvironment,
        line: 8,
        column: 12,
        path: "log_level",
        message: "expected one of trace, debug, info, notice, warning, error, critical, got \"warn\""
    ),
]

@Suite struct ConfigIssueTests {
    /// Each invalid config gives exactly one issue with its position, key path and hint.
    @Test(arguments: issueCases)
    func issuePositionAndHint(_ testCase: IssueCase) {
        let issues = ConfigFixtures.issues(testCase.yaml, environment: testCase.environment)

        #expect(issues.count == 1, "\(issues.map(\.description))")
        guard let issue = issues.first else { return }
        #expect(issue.file == "lifeline.yaml")
        #expect(issue.line == testCase.line, "\(issue)")
        #expect(issue.column == testCase.column, "\(issue)")
        #expect(issue.path == testCase.path, "\(issue)")
        #expect(issue.message.contains(testCase.message), "\(issue)")
    }

    /// An issue prints as file:line:column: path: message.
    @Test func issueDescriptionFormat() {
        let issues = ConfigFixtures.issues(smppConfig("    port: 27x5"), environment: smppEnvironment)

        #expect(
            issues.map(\.description) == [
                "lifeline.yaml:8:11: providers[0].port: expected an integer from 1 to 65535, got \"27x5\""
            ]
        )
    }

    /// Problems in different parts of the file are all reported in one pass, in document order.
    @Test func issuesCollectedInOnePass() {
        let yaml = """
            database: /tmp/lifeline.db
            log_level: loud
            queue:
              lease: 30
              colour: blue
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: 99999
                system_id: campus
                password: ${SMPP_PASSWORD}
              - id: modem-1
                type: modem
                baud: 9600
            """
        let issues = ConfigFixtures.issues(yaml)

        #expect(
            issues.map(\.path) == [
                "log_level",
                "queue.lease",
                "queue.colour",
                "providers[0].port",
                "providers[0].password",
                "providers[1].device",
            ]
        )
        #expect(issues.map(\.line) == [2, 4, 5, 10, 12, 13])
    }

    /// A provider of unknown type reports only its type, not each of its other keys.
    @Test func unknownTypeSkipsKeyCheck() {
        let yaml =
            "database: /tmp/lifeline.db\nproviders:\n  - id: sms\n"
            + "    type: carrier-pigeon\n    loft: roof\n"
        let issues = ConfigFixtures.issues(yaml)

        #expect(issues.map(\.path) == ["providers[0].type"])
    }

    /// A missing config file names the path and the example to start from.
    @Test func missingConfigFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/lifeline.yaml"

        #expect {
            try LifelineConfig.load(path: path, environment: [:])
        } throws: { error in
            "\(error)" == "config file not found: \(path) (create it from deploy/lifeline.example.yaml)"
        }
    }

    /// An empty config file reports the required keys rather than a parse failure.
    @Test func emptyConfigFile() {
        let issues = ConfigFixtures.issues("# nothing yet\n")

        #expect(issues.map(\.path) == ["database", "providers"])
    }
}
