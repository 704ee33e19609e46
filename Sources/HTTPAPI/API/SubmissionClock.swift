import Foundation

/// Hands out submission times in whole milliseconds, strictly increasing within the process.
///
/// The store keeps dates in milliseconds. A message whose stored `createdAt` equals the time
/// this request passed was created by this request; any other time means an earlier request
/// with the same idempotency key created it. That is how the API tells 201 from a repeat's 200.
final class SubmissionClock: @unchecked Sendable {
    // @unchecked: `lock` guards `last`.
    private let lock = NSLock()
    private var last: Int64 = 0

    /// Returns the current time, at least one millisecond after the previous call's.
    func now() -> Date {
        let current = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let chosen = lock.withLock {
            last = max(current, last + 1)
            return last
        }
        return Date(timeIntervalSince1970: Double(chosen) / 1000)
    }

    /// Tells whether two dates fall in the same millisecond.
    static func sameMillisecond(_ lhs: Date, _ rhs: Date) -> Bool {
        Int64((lhs.timeIntervalSince1970 * 1000).rounded()) == Int64((rhs.timeIntervalSince1970 * 1000).rounded())
    }
}
