import Foundation

/// A wake-up signal for the dispatcher's loop and its waiting messages: anyone may `ring()`,
/// and a waiter sleeps until a ring newer than the generation it last saw, or a deadline.
///
/// Rings are not counted: several rings before a wait wake it once. A waiter reads
/// `generation` before looking at the state it depends on and passes it to `wait`, so a ring
/// that arrives while it looks is not lost.
final class DispatchSignal: @unchecked Sendable {
    // @unchecked: `lock` guards every stored variable.
    private let lock = NSLock()
    private var currentGeneration: UInt64 = 0
    private var currentIntakeGeneration: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiterID: UInt64 = 0
    /// Waits that started and have not returned yet.
    private var unfinished: Set<UInt64> = []
    /// Waits whose deadline passed before their continuation was registered.
    private var expiredEarly: Set<UInt64> = []

    /// The number of rings so far.
    var generation: UInt64 {
        lock.withLock { currentGeneration }
    }

    /// The number of rings that announced new messages in the queue.
    var intakeGeneration: UInt64 {
        lock.withLock { currentIntakeGeneration }
    }

    /// Wakes every current waiter and makes the next `wait` for an older generation return at once.
    /// - Parameter intake: the ring announces new messages in the queue.
    func ring(intake: Bool = false) {
        let woken = lock.withLock {
            currentGeneration &+= 1
            if intake { currentIntakeGeneration &+= 1 }
            let woken = Array(waiters.values)
            waiters.removeAll()
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Suspends until a ring after `generation`, until `deadline` on `clock`, or until the task
    /// is cancelled, whichever comes first.
    func wait(since generation: UInt64, until deadline: Date?, clock: any DispatchClock) async {
        let id = lock.withLock {
            nextWaiterID &+= 1
            unfinished.insert(nextWaiterID)
            return nextWaiterID
        }
        let timer = deadline.map { deadline in
            Task { [weak self] in
                guard (try? await clock.sleep(until: deadline)) != nil else { return }
                self?.expire(id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock {
                    let expired = expiredEarly.remove(id) != nil
                    guard currentGeneration == generation, !expired, !Task.isCancelled else { return true }
                    waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.resume(id)
        }
        timer?.cancel()
        lock.withLock {
            unfinished.remove(id)
            expiredEarly.remove(id)
        }
    }

    private func expire(_ id: UInt64) {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            if let continuation = waiters.removeValue(forKey: id) { return continuation }
            if unfinished.contains(id) { expiredEarly.insert(id) }
            return nil
        }
        continuation?.resume()
    }

    private func resume(_ id: UInt64) {
        let continuation = lock.withLock { waiters.removeValue(forKey: id) }
        continuation?.resume()
    }
}
