/// How long an SMPP link waits before reconnecting: exponential with jitter, and a slow fixed
/// pace after the SMSC refused the credentials.
///
/// The random source is injected so tests get exact delays. Jitter spreads reconnects of many
/// boxes after a carrier outage so they do not all bind in the same second.
public struct ReconnectBackoff: Sendable {
    /// The wait after the first failure.
    public var initialDelay: Duration
    /// The cap for the exponential wait.
    public var maximumDelay: Duration
    /// The factor between consecutive waits.
    public var multiplier: Double
    /// Fraction of the wait added or removed at random: 0.2 means ±20 %.
    public var jitter: Double
    /// The wait after a bind refused for its credentials (`ESME_RINVPASWD`, `ESME_RINVSYSID`):
    /// retrying faster only locks the account at some carriers.
    public var credentialsDelay: Duration
    /// Returns a value in 0..<1.
    public var random: @Sendable () -> Double

    public init(
        initialDelay: Duration = .seconds(1),
        maximumDelay: Duration = .seconds(60),
        multiplier: Double = 2,
        jitter: Double = 0.2,
        credentialsDelay: Duration = .seconds(300),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.credentialsDelay = credentialsDelay
        self.random = random
    }

    /// Returns the wait before the next reconnect, after `failures` consecutive failures (from 1).
    public func delay(afterFailures failures: Int, reason: LinkDownReason) -> Duration {
        let base: Duration
        if reason.isCredentialsError {
            base = credentialsDelay
        } else {
            let exponent = Double(max(0, failures - 1))
            let scaled = initialDelay * min(pow2(multiplier, exponent), 1_000_000)
            base = min(scaled, maximumDelay)
        }
        let factor = 1 + jitter * (2 * random() - 1)
        return base * max(0, factor)
    }

    private func pow2(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1_000_000 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
