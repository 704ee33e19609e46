import Foundation
import Store

/// Estimates a broadcast's time left from the rate at which its messages recently left the queue.
///
/// Feed it the broadcast's counts each time they are read. The rate is the change in messages
/// that left the queue (every state but `queued` and `sending`) between the newest sample and the
/// newest one at least `window` older, or the broadcast's creation while it is younger than
/// the window. The first read after creation therefore gives the average rate so far, and
/// later reads the recent one. Time left is the messages still queued or sending divided by
/// that rate. It ignores receipts still awaited, and it assumes the rate holds, so a pool
/// that slows down (a breaker opening, a rate limit) makes it too low until the window has
/// passed. A plain value: the owner supplies every date, so tests use a fixed clock.
public struct BroadcastRateEstimator: Sendable, Equatable {
    /// How far back the rate looks by default: long enough to smooth a rate limit's bursts,
    /// short enough to follow a failover within a minute.
    public static let defaultWindow: TimeInterval = 60

    /// The broadcast's count of messages that had left the queue at one moment.
    public struct Sample: Sendable, Equatable {
        public var at: Date
        public var left: Int

        public init(at: Date, left: Int) {
            self.at = at
            self.left = left
        }
    }

    /// The outcome of an estimate.
    public struct Estimate: Sendable, Equatable {
        /// Messages still queued or sending.
        public var remaining: Int
        /// Messages per second that left the queue over the window; `nil` before two samples
        /// at different times.
        public var ratePerSecond: Double?
        /// Seconds until the queue empties at that rate: 0 when nothing remains, `nil` when the
        /// rate is unknown or zero.
        public var secondsLeft: Double?

        /// Text for people, such as `about 3 min 20 s left at 25.0/s`.
        public var summary: String {
            guard remaining > 0 else { return "nothing left to send" }
            guard let secondsLeft, let ratePerSecond else {
                return "time left unknown: no message has left the queue recently"
            }
            let rate = String(format: "%.1f", ratePerSecond)
            return "about \(BroadcastRateEstimator.duration(secondsLeft)) left at \(rate)/s"
        }
    }

    /// The span the rate covers.
    public let window: TimeInterval
    /// The samples in time order: those within `window` of the newest, and one older anchor.
    public private(set) var samples: [Sample]

    /// Starts with the broadcast's creation, when no message had left the queue.
    public init(createdAt: Date, window: TimeInterval = BroadcastRateEstimator.defaultWindow) {
        self.window = window
        samples = [Sample(at: createdAt, left: 0)]
    }

    /// Records the broadcast's counts read at `now`. A sample not newer than the last is ignored,
    /// so a clock stepping back cannot give a negative interval.
    public mutating func record(_ broadcast: BroadcastRecord, at now: Date) {
        record(Sample(at: now, left: Self.left(broadcast)))
    }

    /// Records one sample, dropping those the window no longer needs.
    public mutating func record(_ sample: Sample) {
        guard let last = samples.last, sample.at > last.at else { return }
        samples.append(sample)
        let horizon = sample.at.addingTimeInterval(-window)
        // Keep the newest sample at or before the horizon as the anchor of the rate.
        if let anchor = samples.lastIndex(where: { $0.at <= horizon }), anchor > 0 {
            samples.removeFirst(anchor)
        }
    }

    /// Messages per second that left the queue between the anchor and the newest sample. It is
    /// never negative, because messages put back in the queue count as no progress.
    public var ratePerSecond: Double? {
        guard let first = samples.first, let last = samples.last, last.at > first.at else { return nil }
        return max(Double(last.left - first.left), 0) / last.at.timeIntervalSince(first.at)
    }

    /// Estimates the time left for `broadcast` as last recorded.
    public func estimate(for broadcast: BroadcastRecord) -> Estimate {
        estimate(remaining: Self.remaining(broadcast))
    }

    /// Estimates the time left for `remaining` messages at the recorded rate.
    public func estimate(remaining: Int) -> Estimate {
        let rate = ratePerSecond
        guard remaining > 0 else { return Estimate(remaining: 0, ratePerSecond: rate, secondsLeft: 0) }
        guard let rate, rate > 0 else { return Estimate(remaining: remaining, ratePerSecond: rate, secondsLeft: nil) }
        return Estimate(remaining: remaining, ratePerSecond: rate, secondsLeft: Double(remaining) / rate)
    }

    /// Messages still queued or sending.
    public static func remaining(_ broadcast: BroadcastRecord) -> Int {
        (broadcast.countsByState[.queued] ?? 0) + (broadcast.countsByState[.sending] ?? 0)
    }

    /// Messages that left the queue: every state but queued and sending.
    public static func left(_ broadcast: BroadcastRecord) -> Int {
        broadcast.total - remaining(broadcast)
    }

    /// Formats seconds for people, rounded up: `under 1 s`, `45 s`, `3 min 20 s`, `2 h 05 min`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds >= 1 else { return "under 1 s" }
        let whole = Int(min(seconds, 359_999).rounded(.up))
        switch whole {
        case ..<60:
            return "\(whole) s"
        case ..<3600:
            return "\(whole / 60) min \(whole % 60) s"
        default:
            let minutes = (whole % 3600 + 59) / 60
            return minutes == 60 ? "\(whole / 3600 + 1) h 00 min" : "\(whole / 3600) h \(String(format: "%02d", minutes)) min"
        }
    }
}
