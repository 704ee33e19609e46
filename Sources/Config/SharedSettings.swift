/// Settings for boxes sharing one PostgreSQL queue (the `shared` section). Every field has a
/// default, and one box on SQLite ignores them.
public struct SharedSettings: Sendable, Equatable {
    /// How long after a box's latest heartbeat a message handed off to it may wait before the
    /// hand-off lapses and the message fails; default 60 s, range 15 s to 1 hour.
    ///
    /// The default covers a box restarted by systemd (a few seconds) and several missed
    /// heartbeats (`heartbeatInterval`), so a live box is not given up on for one slow database
    /// round trip. A message handed off to a box that died then fails after about a minute, and
    /// an alert that no box can send is reported failed while someone can still act on it.
    public var handoffWait: Duration = .seconds(60)

    /// The shortest and longest `handoff_wait` the config accepts. The shortest is three
    /// heartbeats, so one late heartbeat never lapses a hand-off.
    public static let handoffWaitRange: ClosedRange<Duration> = .seconds(15)...Duration.seconds(3600)

    public init() {}

    /// How often a box writes its heartbeat: a quarter of `handoffWait`, at most every 15 s.
    public var heartbeatInterval: Duration {
        min(handoffWait / 4, .seconds(15))
    }

    static func decode(_ value: ConfigValue) -> SharedSettings? {
        value.mapping { reader in
            var settings = SharedSettings()
            settings.handoffWait =
                reader.optional("handoff_wait") { $0.duration(in: handoffWaitRange) } ?? settings.handoffWait
            return settings
        }
    }
}
