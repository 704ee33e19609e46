import Foundation

/// Notices steps of the wall clock by comparing it with the monotonic clock between two samples.
///
/// Between samples both clocks advance by the same span unless something set the wall clock. That
/// can be an NTP correction (a Raspberry Pi has no real-time clock and boots with a stale date), a
/// manual `date -s`, or a virtual machine resumed after a pause. The difference of the two spans is
/// the step. NTP slewing moves the wall clock by at most 0.5 ms per second (ntpd's 500 ppm limit),
/// far below `threshold`.
public struct ClockStepDetector: Sendable {
    /// A step seen between two samples.
    public struct Step: Sendable, Equatable {
        /// How far the wall clock moved beyond the monotonic clock; negative when it went back.
        public var offset: Duration
        /// The wall date read at the sample that found the step.
        public var at: Date
    }

    /// The smallest difference reported as a step.
    public let threshold: Duration
    private var last: (wall: Date, uptime: Duration)?

    /// - Parameter threshold: the smallest step reported, 2 s by default. That is above scheduling
    ///   delays on a loaded two-core box and below any step that moves a lease or a deadline noticeably.
    public init(threshold: Duration = .seconds(2)) {
        self.threshold = threshold
    }

    /// Records a sample of both clocks and returns the step since the previous sample, if any.
    public mutating func sample(wall: Date, uptime: Duration) -> Step? {
        defer { last = (wall, uptime) }
        guard let last else { return nil }
        let wallSpan = Duration.seconds(wall.timeIntervalSince(last.wall))
        let offset = wallSpan - (uptime - last.uptime)
        guard offset >= threshold || offset <= .zero - threshold else { return nil }
        return Step(offset: offset, at: wall)
    }
}
