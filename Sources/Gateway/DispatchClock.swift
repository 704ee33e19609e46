import Foundation

/// The wall clock the dispatcher and the delivery tracker read and sleep on; tests inject a
/// manual one.
///
/// Wall-clock dates because the queue stores `Date`s (`notBefore`, `expiresAt`, leases).
public protocol DispatchClock: Sendable {
    /// The current date.
    var now: Date { get }

    /// Suspends until `deadline`, returning at once when it has passed.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock.
///
/// A step of the wall clock while sleeping shifts the wake-up by that step, because the sleep
/// itself runs on the monotonic clock for the interval computed at the start.
public struct SystemDispatchClock: DispatchClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        guard interval > 0 else { return }
        try await Task.sleep(for: .clampedSeconds(interval))
    }
}
