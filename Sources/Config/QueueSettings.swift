/// The queue's retry, lease and timeout settings. Every field has a default.
public struct QueueSettings: Sendable, Equatable {
    /// The policy for a normal or bulk message whose send had an unknown outcome.
    ///
    /// Emergency and high priority messages always fail over, because a duplicate is better
    /// than a missed alert.
    public enum AmbiguousPolicy: String, Sendable, Equatable, CaseIterable {
        /// Try the next provider at once, risking a duplicate.
        case failover
        /// Wait for a receipt from the first provider until the delivery deadline.
        case wait
    }

    /// Attempts over all providers before a message fails; default 5, range 1 to 20.
    public var maxAttempts: Int = 5
    /// How long a dispatcher's claim on a message lasts before another may take it; default 30 s.
    public var lease: Duration = .seconds(30)
    /// Default `failover`.
    public var onAmbiguous: AmbiguousPolicy = .failover
    /// Time from acceptance by a provider to a final receipt before the message is re-routed.
    public var deliveryDeadline = PriorityDurations(
        emergency: .seconds(120),
        high: .seconds(300),
        normal: .seconds(1800),
        bulk: .seconds(7200)
    )
    /// Maximum time a message waits for a busy (rate-limited or throttled) provider before moving on.
    public var maxWait = PriorityDurations(
        emergency: .seconds(2),
        high: .seconds(10),
        normal: .seconds(60),
        bulk: .seconds(600)
    )
    /// Largest number of SMS segments one message may take; default 6, range 1 to 255.
    public var maxSegments: Int = 6
    /// Time a message in a final state (delivered, failed, expired, cancelled) is kept with its
    /// attempts and events after its last change. The hourly maintenance deletes older ones and
    /// keeps their counts per day. Default 90 days, range 1 hour to 3650 days.
    public var retention: Duration = QueueSettings.defaultRetention

    /// The retention when the config sets none: 90 days, so the rows of last term's drill are still
    /// there to show whether it reached everyone.
    public static let defaultRetention: Duration = .seconds(90 * 86_400)
    /// The shortest and longest retention the config accepts.
    public static let retentionRange: ClosedRange<Duration> = .seconds(3600)...Duration.seconds(3650 * 86_400)

    public init() {}

    static func decode(_ value: ConfigValue) -> QueueSettings? {
        value.mapping { reader in
            let defaults = QueueSettings()
            var settings = defaults
            settings.maxAttempts = reader.optional("max_attempts") { $0.int(in: 1...20) } ?? defaults.maxAttempts
            settings.lease =
                reader.optional("lease") { $0.duration(in: .seconds(5)...Duration.seconds(600)) } ?? defaults.lease
            settings.onAmbiguous =
                reader.optional("on_ambiguous") { $0.enumeration(AmbiguousPolicy.self) } ?? defaults.onAmbiguous
            settings.deliveryDeadline =
                reader.optional("delivery_deadline") {
                    PriorityDurations.decode(
                        $0,
                        defaults: defaults.deliveryDeadline,
                        range: .seconds(10)...Duration.seconds(7 * 86_400)
                    )
                } ?? defaults.deliveryDeadline
            settings.maxWait =
                reader.optional("max_wait") {
                    PriorityDurations.decode($0, defaults: defaults.maxWait, range: .zero...Duration.seconds(3600))
                } ?? defaults.maxWait
            settings.maxSegments = reader.optional("max_segments") { $0.int(in: 1...255) } ?? defaults.maxSegments
            settings.retention = reader.optional("retention") { $0.duration(in: retentionRange) } ?? defaults.retention
            return settings
        }
    }
}
