import Synchronization

/// Send latency per provider: the seconds from a message's acknowledgement (its intake commit,
/// `createdAt`) to the provider accepting it, in fixed buckets as Prometheus histograms count.
///
/// The dispatcher records one observation per accepted attempt, so a message re-routed after an
/// undelivered receipt is observed again, measured from its first acknowledgement, because that
/// is the wait of the person expecting the SMS. Kept in memory only: counts start from zero when
/// the daemon starts, which Prometheus treats as a counter reset. Safe to use from any thread.
public final class SendLatencyHistogram: Sendable {
    /// The upper bounds of the buckets in seconds, before `+Inf`. From well under a second (a
    /// cloud API on an idle queue) to a quarter of an hour (a bulk broadcast behind a rate limit).
    public static let defaultBounds: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900]

    /// One provider's observations.
    public struct Snapshot: Sendable, Equatable {
        /// The buckets' upper bounds in seconds, ascending; the `+Inf` bucket is implied.
        public var bounds: [Double]
        /// Observations per bucket, not cumulative: `bounds.count + 1` entries, the last for
        /// values above every bound.
        public var bucketCounts: [Int]
        /// The sum of every observation in seconds.
        public var sum: Double
        /// The number of observations.
        public var count: Int

        /// Creates an empty histogram over `bounds`.
        public init(bounds: [Double]) {
            self.bounds = bounds
            bucketCounts = Array(repeating: 0, count: bounds.count + 1)
            sum = 0
            count = 0
        }

        /// Counts of observations at or below each bound, then the total for `+Inf`, as the
        /// Prometheus `_bucket` samples give them.
        public var cumulativeCounts: [Int] {
            var running = 0
            return bucketCounts.map { count in
                running += count
                return running
            }
        }

        /// Adds one observation; a negative value (the wall clock stepped back) counts as zero.
        public mutating func observe(_ seconds: Double) {
            let value = max(seconds, 0)
            let index = bounds.firstIndex { value <= $0 } ?? bounds.count
            bucketCounts[index] += 1
            sum += value
            count += 1
        }
    }

    private let bounds: [Double]
    private let providers = Mutex<[String: Snapshot]>([:])

    /// - Parameter bounds: ascending upper bounds in seconds.
    public init(bounds: [Double] = SendLatencyHistogram.defaultBounds) {
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "bounds must ascend")
        self.bounds = bounds
    }

    /// Records one acceptance by `provider` after `seconds`.
    public func observe(_ seconds: Double, provider: String) {
        providers.withLock { providers in
            providers[provider, default: Snapshot(bounds: bounds)].observe(seconds)
        }
    }

    /// Returns each provider that has accepted a message since the start, with its histogram.
    public func snapshot() -> [String: Snapshot] {
        providers.withLock { $0 }
    }
}
