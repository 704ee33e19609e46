import Foundation

/// Meets a transfer id and a cancellation that may arrive in either order.
final class TransferIDBox: @unchecked Sendable {
    // @unchecked: `lock` guards both fields.
    private let lock = NSLock()
    private var id: UInt64?
    private var isCancelled = false

    /// Records the id; returns true when cancellation came first, so the caller cancels now.
    func store(_ id: UInt64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        self.id = id
        return isCancelled
    }

    /// Records the cancellation; returns the id when it is already known.
    func markCancelled() -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        isCancelled = true
        return id
    }
}
