import Foundation

/// A token bucket for one provider's send rate: `rate` tokens per second, at most `burst` saved.
///
/// A plain value with an injected `now`. The bucket starts full. A `now` earlier than the last
/// one (a wall-clock step back) refills nothing rather than draining the bucket, and refilling
/// goes on from that `now`, so a step back does not stop the provider until the clock catches up.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second; greater than zero.
    public let rate: Double
    /// The maximum tokens in the bucket, so the maximum sends in one burst; at least 1.
    public let burst: Int
    private var tokens: Double
    private var updatedAt: Date
    /// Absorbs rounding in `Date` differences, so a token due at a date is there at that date.
    private static let tolerance = 1e-9

    public init(rate: Double, burst: Int, now: Date) {
        precondition(rate > 0 && rate.isFinite, "TokenBucket rate must be a positive number of tokens per second")
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = Double(self.burst)
        self.updatedAt = now
    }

    /// Takes one token when one is available.
    public mutating func tryTake(now: Date) -> Bool {
        refill(now: now)
        guard tokens >= 1 - Self.tolerance else { return false }
        tokens = max(0, tokens - 1)
        return true
    }

    /// Gives back one token taken for a send that never reached the provider, up to `burst`.
    public mutating func refund(now: Date) {
        refill(now: now)
        tokens = min(Double(burst), tokens + 1)
    }

    /// Restarts refilling from `now` without adding tokens, after a step of the wall clock.
    public mutating func restartRefill(now: Date) {
        updatedAt = now
    }

    /// Returns the time until one token is available, or zero when one is available now.
    public func timeUntilAvailable(now: Date) -> Duration {
        let current = tokens(at: now)
        guard current < 1 - Self.tolerance else { return .zero }
        return .clampedSeconds((1 - current) / rate)
    }

    /// Returns the tokens available at `now`, including fractions.
    public func availableTokens(now: Date) -> Double {
        tokens(at: now)
    }

    private func tokens(at now: Date) -> Double {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        return min(Double(burst), tokens + elapsed * rate)
    }

    private mutating func refill(now: Date) {
        tokens = tokens(at: now)
        updatedAt = now
    }
}
