import Foundation
import Gateway

/// A clock that moves only when a test advances it; sleepers wake when their deadline is reached.
final class ManualClock: DispatchClock, @unchecked Sendable {
    // @unchecked: `lock` guards `current`, `sleepers` and `nextSleeperID`.
    private let lock = NSLock()
    private var current: Date
    private var sleepers: [Int: (deadline: Date, continuation: CheckedContinuation<Void, Error>)] = [:]
    private var nextSleeperID = 0

    init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
    }

    var now: Date {
        lock.withLock { current }
    }

    /// The deadlines of the tasks sleeping now, earliest first.
    var sleeperDeadlines: [Date] {
        lock.withLock { sleepers.values.map(\.deadline).sorted() }
    }

    func sleep(until deadline: Date) async throws {
        let id = lock.withLock {
            nextSleeperID += 1
            return nextSleeperID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let resumeNow: Bool = lock.withLock {
                    if deadline <= current { return true }
                    if Task.isCancelled { return true }
                    sleepers[id] = (deadline, continuation)
                    return false
                }
                if resumeNow {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let sleeper = lock.withLock { sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline is reached.
    func advance(by interval: TimeInterval) {
        let due = lock.withLock {
            current = current.addingTimeInterval(interval)
            let due = sleepers.filter { $0.value.deadline <= current }
            for id in due.keys { sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Moves the clock to `date` (never back).
    func advance(to date: Date) {
        advance(by: max(0, date.timeIntervalSince(now)))
    }
}
