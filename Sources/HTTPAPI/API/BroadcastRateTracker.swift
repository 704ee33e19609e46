import Foundation
import Store

/// The API's rate estimators, one per broadcast read recently, so that each read of a broadcast
/// refines its estimate of time left.
///
/// Holds at most `capacity` broadcasts and evicts the one read least recently beyond that. A
/// broadcast read for the first time, or again after being evicted, starts from its creation,
/// so its first estimate uses the average rate since then. Safe from any thread.
final class BroadcastRateTracker: @unchecked Sendable {
    // @unchecked: `lock` guards `estimators` and `reads`.
    private let lock = NSLock()
    private var estimators: [Int64: BroadcastRateEstimator] = [:]
    private var reads: [Int64: UInt64] = [:]
    private var readCount: UInt64 = 0
    let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// Records `broadcast` as read at `now` and returns its estimate.
    func estimate(for broadcast: BroadcastRecord, now: Date) -> BroadcastRateEstimator.Estimate {
        lock.withLock {
            var estimator = estimators[broadcast.id] ?? BroadcastRateEstimator(createdAt: broadcast.createdAt)
            estimator.record(broadcast, at: now)
            estimators[broadcast.id] = estimator
            readCount += 1
            reads[broadcast.id] = readCount
            if estimators.count > capacity, let oldest = reads.min(by: { $0.value < $1.value })?.key {
                estimators[oldest] = nil
                reads[oldest] = nil
            }
            return estimator.estimate(for: broadcast)
        }
    }
}
