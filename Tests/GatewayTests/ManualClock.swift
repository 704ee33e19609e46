import Foundation
import Gateway

/// A clock that moves only when a test advances it; sleepers wake when their deadline is reached.
///
/// `advance` lets time pass: the wall clock and the monotonic clock move together. `step` moves
/// the wall clock alone, as an NTP correction does. Sleepers wait on the monotonic clock for the
/// span they asked for, as `SystemDispatchClock`'s do, so a step neither wakes nor delays them.
final class ManualClock: DispatchClock, @unchecked Sendable {
    // @unchecked: `lock` guards every stored variable.
    private let lock = NSLock()
    private let start: Date
    /// The wall clock without the steps: it moves only with `advance`, like the monotonic clock.
    private var elapsedWall: Date
    /// The sum of the steps of the wall clock so far.
    private var stepped: TimeInterval = 0
    /// Each sleeper's deadline in the frame of `elapsedWall`.
    private var sleepers: [Int: (deadline: Date, continuation: CheckedContinuation<Void, Error>)] = [:]
    private var nextSleeperID = 0

    init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.start = start
        elapsedWall = start
    }

    var now: Date {
        lock.withLock { elapsedWall.addingTimeInterval(stepped) }
    }

    var uptime: Duration {
        lock.withLock { .seconds(elapsedWall.timeIntervalSince(start)) }
    }

    /// The wall-clock deadlines of the tasks sleeping now, earliest first.
    var sleeperDeadlines: [Date] {
        lock.withLock { sleepers.values.map { $0.deadline.addingTimeInterval(stepped) }.sorted() }
    }

    func sleep(until deadline: Date) async throws {
        let id = lock.withLock {
            nextSleeperID += 1
            return nextSleeperID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let resumeNow: Bool = lock.withLock {
                    let due = deadline.addingTimeInterval(-stepped)
                    if due <= elapsedWall { return true }
                    if Task.isCancelled { return true }
                    sleepers[id] = (due, continuation)
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

    /// Lets `interval` seconds pass (never back) and wakes every sleeper whose deadline is reached.
    func advance(by interval: TimeInterval) {
        precondition(interval >= 0, "time does not pass backwards; use step(by:) for a wall-clock step")
        let due = lock.withLock {
            elapsedWall = elapsedWall.addingTimeInterval(interval)
            let due = sleepers.filter { $0.value.deadline <= elapsedWall }
            for id in due.keys { sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Lets time pass until the wall clock shows `date` (never back).
    func advance(to date: Date) {
        advance(by: max(0, date.timeIntervalSince(now)))
    }

    /// Steps the wall clock by `interval` seconds, forward or back, without time passing: the
    /// monotonic clock and the sleepers do not move.
    func step(by interval: TimeInterval) {
        lock.withLock { stepped += interval }
    }
}
