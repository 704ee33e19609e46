import Diagnostics
import Foundation

/// The whole configuration of a Lifeline gateway, loaded from one YAML file.
///
/// Load it with `load(path:environment:)`; `renderEffective()` prints it back with every
/// secret masked. Values are validated at load, so a loaded config is usable as is.
public struct LifelineConfig: Sendable, Equatable {
    /// The SQLite database file, or the `postgresql://` URL (without its password) of a database
    /// that several boxes share.
    public var database: String
    /// The PostgreSQL password, from `database_password`, `database_password_file` or the URL.
    /// It is `nil` for SQLite and when libpq finds it elsewhere (`~/.pgpass`, `PGPASSWORD`).
    public var databasePassword: Secret?
    /// This box's name among the boxes sharing a PostgreSQL queue. Each box needs its own. The
    /// host name by default. It marks the messages this box claimed, so that after a restart it
    /// recovers those and no other box's.
    public var node: String = ProcessInfo.processInfo.hostName
    /// The file where the daemon publishes its status for `lifeline status` (`status_file`). By
    /// default `<database>.status.json` beside an SQLite file, or for PostgreSQL
    /// `lifeline-<node>.status.json` beside the config file.
    public var statusFile: String
    /// Whether `statusFile` is the default rather than a `status_file` value, which the effective
    /// config then leaves out: the default depends on where the config file is.
    public var statusFileIsDefault = true
    /// Default `info`.
    public var logLevel: Logger.Level = .info
    /// ISO 3166-1 alpha-2 country for numbers written in national format, such as `GB`; `nil`
    /// accepts only international numbers.
    public var defaultRegion: String?
    /// The HTTP API; `nil` when the `http` section is absent, which leaves the API off.
    public var http: HTTPSettings?
    public var queue = QueueSettings()
    public var breaker = BreakerSettings()
    /// Hand-offs between boxes sharing a PostgreSQL queue.
    public var shared = SharedSettings()
    /// Numbers alerted when a provider goes down or comes back, international format.
    public var admins: [String] = []
    /// When the queue itself is worth an alert to `admins`.
    public var alerts = AlertSettings()
    /// Message templates by name, with `{placeholder}` fields.
    public var templates: [String: String] = [:]
    public var apiTokens: [APITokenSettings] = []
    /// In failover order; never empty.
    public var providers: [ProviderSettings]

    public init(database: String, providers: [ProviderSettings]) {
        self.database = database
        self.statusFile = database + ".status.json"
        self.providers = providers
    }

    /// Whether `database` is a PostgreSQL URL rather than an SQLite file.
    public var usesPostgreSQL: Bool {
        DatabaseLocation.isPostgres(database)
    }
}

/// A loaded config with the warnings found while loading it, for the caller to log.
public struct LoadedConfig: Sendable, Equatable {
    public var config: LifelineConfig
    public var warnings: [ConfigWarning]

    public init(config: LifelineConfig, warnings: [ConfigWarning]) {
        self.config = config
        self.warnings = warnings
    }
}
