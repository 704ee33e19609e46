/// The circuit breaker every provider gets.
public struct BreakerSettings: Sendable, Equatable {
    /// Consecutive "provider unavailable" outcomes that open the breaker; default 3, range 1 to 100.
    public var failureThreshold: Int = 3
    /// Time an open breaker waits before one trial message or probe; default 30 s, range 1 s to 1 h.
    public var cooldown: Duration = .seconds(30)

    public init() {}

    static func decode(_ value: ConfigValue) -> BreakerSettings? {
        value.mapping { reader in
            var settings = BreakerSettings()
            settings.failureThreshold =
                reader.optional("failure_threshold") { $0.int(in: 1...100) } ?? settings.failureThreshold
            settings.cooldown =
                reader.optional("cooldown") { $0.duration(in: .seconds(1)...Duration.seconds(3600)) }
                ?? settings.cooldown
            return settings
        }
    }
}
