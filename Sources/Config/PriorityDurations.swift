/// One duration per message priority, as in `{emergency: 2m, high: 5m, normal: 30m, bulk: 2h}`.
///
/// A key left out of the mapping keeps its default.
public struct PriorityDurations: Sendable, Equatable {
    public var emergency: Duration
    public var high: Duration
    public var normal: Duration
    public var bulk: Duration

    public init(emergency: Duration, high: Duration, normal: Duration, bulk: Duration) {
        self.emergency = emergency
        self.high = high
        self.normal = normal
        self.bulk = bulk
    }

    /// Returns the duration for a priority by its name (`emergency`, `high`, `normal`, `bulk`).
    public subscript(priorityName name: String) -> Duration? {
        switch name {
        case "emergency": emergency
        case "high": high
        case "normal": normal
        case "bulk": bulk
        default: nil
        }
    }

    static func decode(_ value: ConfigValue, defaults: PriorityDurations, range: ClosedRange<Duration>)
        -> PriorityDurations?
    {
        value.mapping { reader in
            var result = defaults
            result.emergency = reader.optional("emergency") { $0.duration(in: range) } ?? defaults.emergency
            result.high = reader.optional("high") { $0.duration(in: range) } ?? defaults.high
            result.normal = reader.optional("normal") { $0.duration(in: range) } ?? defaults.normal
            result.bulk = reader.optional("bulk") { $0.duration(in: range) } ?? defaults.bulk
            return result
        }
    }
}
