import Foundation

/// The clocks the dispatcher and the delivery tracker read and sleep on; tests inject a manual one.
///
/// `now` is the wall clock, because the queue stores `Date`s (`notBefore`, `expiresAt`, the dates
/// of events). `uptime` is the monotonic clock, for spans measured while the process runs (a
/// delivery deadline), which a step of the wall clock (an NTP correction) must not shorten.
public protocol DispatchClock: Sendable {
    /// The current date on the wall clock.
    var now: Date { get }

    /// The time on the monotonic clock since an arbitrary origin fixed for the process. It never
    /// goes back and ignores steps of the wall clock.
    var uptime: Duration { get }

    /// Suspends until `deadline`, returning at once when it has passed.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: Date) async throws
}

extension DispatchClock {
    /// Returns the wall date at which `uptime` reaches `instant`, if the wall clock runs on from
    /// now without a step.
    public func date(atUptime instant: Duration) -> Date {
        now.adding(instant - uptime)
    }

    /// Returns the uptime at which the wall clock reaches `date`, if it runs on from now without a step.
    public func uptime(at date: Date) -> Duration {
        uptime + .seconds(date.timeIntervalSince(now))
    }
}

/// The system's wall clock and its monotonic clock (`ContinuousClock`).
///
/// A step of the wall clock while sleeping shifts the wake-up by that step, because the sleep
/// itself runs on the monotonic clock for the interval computed at the start.
public struct SystemDispatchClock: DispatchClock {
    /// The origin of `uptime`, read once per process.
    private static let origin = ContinuousClock.now

    public init() {}

    public var now: Date { Date() }

    public var uptime: Duration { ContinuousClock.now - Self.origin }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        guard interval > 0 else { return }
        try await Task.sleep(for: .clampedSeconds(interval))
    }
}
