import Foundation

extension Duration {
    /// This duration in seconds, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }

    /// Makes a duration from seconds. Negative and non-finite values become zero.
    static func clampedSeconds(_ seconds: TimeInterval) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}

extension Date {
    /// This date moved forward by `duration`.
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.timeInterval)
    }
}
