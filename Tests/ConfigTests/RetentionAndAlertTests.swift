import Testing

@testable import Config

/// Returns a modem-only config with `extra` appended at the top level.
private func modemConfig(_ extra: String) -> String {
    """
    database: /tmp/lifeline.db
    providers:
      - id: modem-1
        type: modem
        device: /dev/ttyUSB0
    \(extra)
    """
}

@Suite struct RetentionAndAlertTests {
    /// Without the keys, retention is 90 days, the backlog alert fires above 1000 messages for 10
    /// minutes, and a receiver outage alerts after 2 minutes.
    @Test func defaults() throws {
        let config = try LifelineConfig.parse(yaml: modemConfig(""), fileName: "lifeline.yaml", environment: [:]).config

        #expect(config.queue.retention == .seconds(90 * 86_400))
        #expect(config.alerts.backlogThreshold == 1000)
        #expect(config.alerts.backlogDuration == .seconds(600))
        #expect(config.alerts.receiverDownDuration == .seconds(120))
        #expect(config.alerts.watchesBacklog)
    }

    /// Retention takes days, hours or a mix; the backlog keys take a count and a duration, and 0 turns the alert off.
    @Test(
        arguments: [
            ("queue:\n  retention: 30d", Duration.seconds(30 * 86_400), 1000, Duration.seconds(600)),
            ("queue:\n  retention: 36h", .seconds(36 * 3600), 1000, .seconds(600)),
            ("queue:\n  retention: 1d12h", .seconds(36 * 3600), 1000, .seconds(600)),
            ("alerts:\n  backlog_threshold: 250\n  backlog_for: 90s", .seconds(90 * 86_400), 250, .seconds(90)),
            ("alerts:\n  backlog_threshold: 0", .seconds(90 * 86_400), 0, .seconds(600)),
        ] as [(String, Duration, Int, Duration)]
    )
    func decodes(yaml: String, retention: Duration, threshold: Int, duration: Duration) throws {
        let config = try LifelineConfig.parse(yaml: modemConfig(yaml), fileName: "lifeline.yaml", environment: [:]).config

        #expect(config.queue.retention == retention)
        #expect(config.alerts.backlogThreshold == threshold)
        #expect(config.alerts.backlogDuration == duration)
        #expect(config.alerts.watchesBacklog == (threshold > 0))
    }

    /// A bad value is reported at its line and column with the range or the form expected.
    @Test(
        arguments: [
            ("queue:\n  retention: 30", "queue.retention", 7, "expected a duration such as 500ms, 5s, 2m or 1h, got \"30\"; add a unit, for example 30s"),
            ("queue:\n  retention: 30 days", "queue.retention", 7, "expected a duration such as 500ms, 5s, 2m or 1h, got \"30 days\""),
            ("queue:\n  retention: 10m", "queue.retention", 7, "expected a duration from 1h to 3650d, got \"10m\""),
            ("queue:\n  retention: 4000d", "queue.retention", 7, "expected a duration from 1h to 3650d, got \"4000d\""),
            ("alerts:\n  backlog_threshold: -1", "alerts.backlog_threshold", 7, nil),
            ("alerts:\n  backlog_for: 2d", "alerts.backlog_for", 7, "expected a duration from 1s to 1d, got \"2d\""),
            ("alerts:\n  receiver_down_for: 0s", "alerts.receiver_down_for", 7, "expected a duration from 1s to 1d, got \"0s\""),
            ("alerts:\n  backlog_treshold: 5", "alerts.backlog_treshold", 7, nil),
        ] as [(String, String, Int, String?)]
    )
    func rejects(yaml: String, path: String, line: Int, message: String?) throws {
        let issues = ConfigFixtures.issues(modemConfig(yaml))

        let issue = try #require(issues.first)
        #expect(issues.count == 1)
        #expect(issue.path == path)
        #expect(issue.line == line)
        if let message { #expect(issue.message == message) }
    }

    /// The effective config prints retention in days and the alert keys, and loads back to the same values.
    @Test func rendersAndLoadsBack() throws {
        let yaml = modemConfig("queue:\n  retention: 30d\nalerts:\n  backlog_threshold: 40\n  backlog_for: 5m\n  receiver_down_for: 45s")
        let config = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config
        let rendered = config.renderEffective()

        #expect(rendered.contains("  retention: 30d\n"))
        #expect(rendered.contains("alerts:\n  backlog_threshold: 40\n  backlog_for: 5m\n  receiver_down_for: 45s\n"))
        let reloaded = try LifelineConfig.parse(yaml: rendered, fileName: "effective.yaml", environment: [:]).config
        #expect(reloaded.queue == config.queue)
        #expect(reloaded.alerts == config.alerts)
    }

    /// The shipped example documents both keys at their defaults.
    @Test func exampleShowsDefaults() throws {
        let credentials = try TemporaryDirectory()
        try ConfigFixtures.writeCredentials(into: credentials)
        let config = try LifelineConfig.load(
            path: ConfigFixtures.exampleConfigPath,
            environment: ["CREDENTIALS_DIRECTORY": credentials.path]
        ).config

        #expect(config.queue.retention == QueueSettings.defaultRetention)
        #expect(config.alerts == AlertSettings())
    }
}
