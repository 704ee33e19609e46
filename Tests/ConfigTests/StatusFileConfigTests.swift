import Foundation
import Testing

@testable import Config

/// The `status_file` key: where the daemon publishes its status for `lifeline status`.
@Suite struct StatusFileConfigTests {
    private static let modem = """
        providers:
          - id: modem-1
            type: modem
            device: /dev/ttyUSB0
        """

    /// A relative path is taken beside the config file, like the other files the config names.
    @Test func relativePathBesideConfig() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("lifeline.yaml", "database: /var/lib/lifeline/queue.db\nstatus_file: run/status.json\n" + Self.modem)
        let config = try LifelineConfig.load(path: path, environment: [:]).config
        #expect(config.statusFile == directory.path + "/run/status.json")
    }

    /// A PostgreSQL box given a path in the state directory uses it rather than the config's directory.
    @Test func absolutePathOnPostgreSQL() throws {
        let directory = try TemporaryDirectory()
        let yaml = "database: postgresql://lifeline@127.0.0.1/queue\nnode: box-a\nstatus_file: /var/lib/lifeline/status.json\n"
        let path = try directory.write("lifeline.yaml", yaml + Self.modem)
        let config = try LifelineConfig.load(path: path, environment: [:]).config
        #expect(config.statusFile == "/var/lib/lifeline/status.json")
    }

    /// The effective config names the file, and loading that output gives the same path.
    @Test func effectiveConfigKeepsPath() throws {
        let yaml = "database: /var/lib/lifeline/queue.db\nstatus_file: /run/lifeline/status.json\n" + Self.modem
        let first = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config
        let rendered = first.renderEffective()
        #expect(rendered.contains("status_file: /run/lifeline/status.json"))
        let second = try LifelineConfig.parse(yaml: rendered, fileName: "rendered.yaml", environment: [:]).config
        #expect(second.statusFile == "/run/lifeline/status.json")
        #expect(second == first)
    }

    /// The default is left out, because it depends on the directory of the file that is loaded:
    /// a relative database path, written out as `status_file`, would move beside the config.
    @Test func effectiveConfigOmitsDefault() throws {
        let yaml = "database: \"q$${x}.db\"\n" + Self.modem
        let first = try LifelineConfig.parse(yaml: yaml, fileName: "/etc/lifeline/lifeline.yaml", environment: [:]).config
        let rendered = first.renderEffective()
        #expect(!rendered.contains("status_file"))
        let second = try LifelineConfig.parse(yaml: rendered, fileName: "/etc/lifeline/lifeline.yaml", environment: [:]).config
        #expect(second.statusFile == "q${x}.db.status.json")
        #expect(second == first)
    }

    /// A directory, the database itself, an empty value and a non-string are reported at the key
    /// with the value and the fix.
    @Test(arguments: [
        ("status_file: /var/lib/lifeline/\n", "got the directory \"/var/lib/lifeline/\"; add a file name such as status.json"),
        ("status_file: /var/lib/lifeline/queue.db\n", "got the database file \"/var/lib/lifeline/queue.db\""),
        ("status_file: \"\"\n", "got an empty string"),
        ("status_file: [a, b]\n", "expected the path of a file the service may write"),
    ])
    func badValuesAreReported(_ line: String, _ expected: String) throws {
        let issues = ConfigFixtures.issues("database: /var/lib/lifeline/queue.db\n" + line + Self.modem)
        let issue = try #require(issues.first { $0.path == "status_file" }, "\(issues)")
        #expect(issue.message.contains(expected), "\(issue.message)")
        #expect(issue.line == 2)
    }

    /// The database fix names a path that is valid.
    @Test func databaseClashSuggestsPath() throws {
        let issues = ConfigFixtures.issues("database: /var/lib/lifeline/queue.db\nstatus_file: /var/lib/lifeline/queue.db\n" + Self.modem)
        let issue = try #require(issues.first { $0.path == "status_file" }, "\(issues)")
        #expect(issue.message.contains("give a path such as /var/lib/lifeline/queue.db.status.json"))
    }
}
