import Foundation
import Testing

@testable import Config

/// The `database` key as a PostgreSQL URL, its password keys, `node`, and the providers' `shared` key.
@Suite struct SharedDatabaseConfigTests {
    private static let modem = """
        providers:
          - id: modem-1
            type: modem
            device: /dev/ttyUSB0
        """

    private func parse(_ yaml: String) throws -> LifelineConfig {
        try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config
    }

    /// A password in the URL is taken out: the config keeps the URL without it, the password is a
    /// secret, and the effective config never shows it.
    @Test func passwordInURLIsSeparated() throws {
        let config = try parse("database: postgresql://lifeline:s3cr%40t@db.example.org:5432/queue\nnode: box-a\n" + Self.modem)
        #expect(config.usesPostgreSQL)
        #expect(config.database == "postgresql://lifeline@db.example.org:5432/queue")
        #expect(config.databasePassword?.revealed == "s3cr@t")
        #expect(config.node == "box-a")
        let rendered = config.renderEffective()
        #expect(!rendered.contains("s3cr"))
        #expect(rendered.contains("node: box-a"))
    }

    /// `database_password_file` is read like any secret file, relative to the config file, and the
    /// status snapshot of a PostgreSQL box lives beside the config file under its node name.
    @Test func passwordFromFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("pg.password", "from-file\n")
        let path = try directory.write(
            "lifeline.yaml",
            "database: postgresql://lifeline@127.0.0.1/queue\ndatabase_password_file: pg.password\nnode: box-b\n" + Self.modem
        )
        let config = try LifelineConfig.load(path: path, environment: [:]).config
        #expect(config.databasePassword?.revealed == "from-file")
        #expect(config.statusFile == directory.path + "/lifeline-box-b.status.json")
    }

    /// An SQLite path keeps its old meaning, the node defaults to the host name, and the status
    /// snapshot stays beside the file.
    @Test func sqlitePathUnchanged() throws {
        let config = try parse("database: /var/lib/lifeline/queue.db\n" + Self.modem)
        #expect(config.usesPostgreSQL == false)
        #expect(config.databasePassword == nil)
        #expect(config.node == ProcessInfo.processInfo.hostName)
        #expect(config.statusFile == "/var/lib/lifeline/queue.db.status.json")
        #expect(!config.renderEffective().contains("node:"))
    }

    /// Conflicting or misplaced password keys are reported, and no issue quotes the URL.
    @Test(arguments: [
        ("database: postgresql://u:pw@h/db\ndatabase_password: other\n", "already contains a password"),
        ("database: /var/lib/lifeline/queue.db\ndatabase_password: pw\n", "only used with a postgresql://"),
        ("database: \"postgresql://u:pw@h:notaport/db\"\n", "not a URL"),
    ])
    func passwordIssues(_ head: String, _ expected: String) {
        let issues = ConfigFixtures.issues(head + Self.modem)
        #expect(issues.contains { $0.message.contains(expected) }, "\(issues)")
        #expect(!issues.contains { $0.message.contains("pw@") })
    }

    /// Modems are local and cannot be shared; cloud and SMPP providers are shared unless they say
    /// `shared: false`.
    @Test func sharedDefaultsAndOverride() throws {
        let config = try parse(
            """
            database: postgresql://lifeline@db/queue
            providers:
              - id: carrier
                type: smpp
                host: smsc.example.net
                system_id: campus
                password: x
              - id: twilio
                type: twilio
                account_sid: AC0123
                auth_token: t
                from: "+15005550006"
                shared: false
              - id: modem-1
                type: modem
                device: /dev/ttyUSB0
            """
        )
        #expect(config.providers.map(\.isShared) == [true, false, false])
        #expect(config.renderEffective().contains("shared: false"))
        let issues = ConfigFixtures.issues(
            "database: x.db\nproviders:\n  - id: modem-1\n    type: modem\n    device: /dev/ttyUSB0\n    shared: true\n")
        #expect(issues.contains { $0.message.contains("cannot be shared") }, "\(issues)")
    }
}
