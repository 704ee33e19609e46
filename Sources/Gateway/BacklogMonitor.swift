import Foundation
import Store

/// Decides when the queue counts as backed up and when it has recovered, from samples of the
/// number of messages waiting (queued or being sent, every priority).
///
/// The queue is backed up once every sample for `duration` has been above `threshold`; one sample
/// at or below it starts the wait again. After a `.raise`, the first sample at or below the
/// threshold gives `.clear`. Times are monotonic instants, so a step of the wall clock neither
/// raises nor hides a backlog. A plain value: the owner samples and acts on the result.
public struct BacklogMonitor: Sendable {
    /// The change the owner reports to the admins and the log.
    public enum Action: Sendable, Equatable {
        /// The count has stayed above the threshold for the whole duration; `waiting` is the latest sample.
        case raise(waiting: Int, lasted: Duration)
        /// The count fell to the threshold or below after a `.raise`; `lasted` is the time since
        /// the count first went above.
        case clear(waiting: Int, lasted: Duration)
    }

    /// Messages waiting above which the queue is backed up.
    public let threshold: Int
    /// How long the count must stay above `threshold` before `.raise`.
    public let duration: Duration
    /// The first sample of the current run above the threshold, or `nil` while at or below it.
    private var aboveSince: ContinuousClock.Instant?
    private var raised = false

    public init(threshold: Int, duration: Duration) {
        self.threshold = threshold
        self.duration = duration
    }

    /// The interval between samples: a quarter of `duration`, between 250 ms and 15 s. A backlog is
    /// then reported at most a quarter late, and a large queue is counted at most four times a minute.
    public var sampleInterval: Duration {
        min(max(duration / 4, .milliseconds(250)), .seconds(15))
    }

    /// Whether a `.raise` has been returned and not yet cleared.
    public var isRaised: Bool { raised }

    /// Takes one sample and returns what changed, if anything.
    public mutating func observe(waiting: Int, at now: ContinuousClock.Instant) -> Action? {
        guard waiting > threshold else {
            defer {
                aboveSince = nil
                raised = false
            }
            guard raised, let since = aboveSince else { return nil }
            return .clear(waiting: waiting, lasted: since.duration(to: now))
        }
        let since = aboveSince ?? now
        aboveSince = since
        let lasted = since.duration(to: now)
        guard !raised, lasted >= duration else { return nil }
        raised = true
        return .raise(waiting: waiting, lasted: lasted)
    }

    /// Reads the number of messages waiting from `store` and observes it.
    /// - Throws: the store's error; the monitor is unchanged then.
    public mutating func check(_ store: any MessageStore, at now: ContinuousClock.Instant) async throws -> Action? {
        let waiting = try await store.queueDepth().values.reduce(0, +)
        return observe(waiting: waiting, at: now)
    }
}
