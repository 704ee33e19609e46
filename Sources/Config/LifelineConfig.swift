import Diagnostics

/// The whole configuration of a Lifeline gateway, loaded from one YAML file.
///
/// Load it with `load(path:environment:)`; `renderEffective()` prints it back with every
/// secret masked. Values are validated at load, so a loaded config is usable as is.
public struct LifelineConfig: Sendable, Equatable {
    /// The SQLite database file.
    public var database: String
    /// Default `info`.
    public var logLevel: Logger.Level = .info
    /// ISO 3166-1 alpha-2 country for numbers written in national format, such as `GB`; `nil`
    /// accepts only international numbers.
    public var defaultRegion: String?
    /// The HTTP API; `nil` when the `http` section is absent, which leaves the API off.
    public var http: HTTPSettings?
    public var queue = QueueSettings()
    public var breaker = BreakerSettings()
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
        self.providers = providers
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
