/// A provider's token bucket: a steady rate and the burst it may send at once.
public struct RateLimitSettings: Sendable, Equatable {
    /// Messages per second on average; fractions allowed (`0.2` is one message every 5 s).
    public var perSecond: Double
    /// Tokens in a full bucket; defaults to the per-second rate rounded up, at least 1.
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }

    static func decode(_ value: ConfigValue) -> RateLimitSettings? {
        value.mapping { reader in
            let perSecond = reader.required("per_second", expected: "messages per second, such as 10") {
                $0.number(in: 0.001...10_000)
            }
            let burst = reader.optional("burst") { $0.int(in: 1...100_000) }
            guard let perSecond else { return nil }
            return RateLimitSettings(perSecond: perSecond, burst: burst ?? max(1, Int(perSecond.rounded(.up))))
        }
    }
}
