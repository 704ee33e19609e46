import Diagnostics
import Foundation
import Store

/// The store writes of the dispatcher and the delivery tracker that failed because the database
/// could not be written (a read-only file, a full disk), kept in memory in the order they failed
/// until the dispatcher stores them (`Dispatcher.storePendingWrites()`).
///
/// Each write's message stays `sending` under this run's claim meanwhile, so no claim takes it.
/// The first write kept rings the dispatcher's loop, which tries the oldest write first and,
/// after a failure, pauses as it does for a failed claim. Later writes do not ring, so a stream
/// of receipts during the fault does not cut those pauses short.
///
/// At most `capacity` writes are kept. A write beyond it is dropped and logged at error with its
/// message id (a report's provider message id): its message is settled by the recovery at the
/// next start, or by its delivery deadline.
final class PendingWrites: @unchecked Sendable {
    // @unchecked: `lock` guards `writes`.

    /// One write that failed.
    enum Write: Sendable {
        /// An attempt's outcome and the message's new state, stored by `finishAttempt`.
        case outcome(AttemptResult)
        /// A message's new state: back in the queue, failed or expired.
        case transition(messageID: MessageID, Transition, at: Date)
        /// A delivery report, handled again by the tracker.
        case report(DeliveryReport)
    }

    /// An attempt's outcome as the dispatcher records it.
    struct AttemptResult: Sendable {
        var attemptID: AttemptID
        var messageID: MessageID
        var providerID: String
        var outcome: SendOutcome
        var priority: Priority
        var next: Transition?
        var at: Date
    }

    /// The default `capacity`. Claims stop while the fault lasts, so the outcomes kept are those
    /// of the sends in flight when it began: at most `PoolPolicy.maxInFlight`, with one re-queue
    /// each. The receipts kept are those arriving meanwhile, at most one per message sent within
    /// the delivery deadline before. 10,000 covers the outcomes and receipts of a 5,000-message
    /// broadcast, at an estimated 0.5 KB each: about 5 MB.
    static let defaultCapacity = 10_000

    let capacity: Int
    private let lock = NSLock()
    private var writes: [Write] = []
    private let logger: Logger
    private let onAppend: @Sendable () -> Void

    /// - Parameters:
    ///   - onAppend: called when a write is kept while none was, to wake the loop that stores them.
    init(capacity: Int = PendingWrites.defaultCapacity, logger: Logger, onAppend: @escaping @Sendable () -> Void) {
        self.capacity = max(1, capacity)
        self.logger = logger
        self.onAppend = onAppend
    }

    /// Keeps a failed write after the older ones. Returns `false`, and logs the loss at error,
    /// when `capacity` writes are kept already.
    @discardableResult
    func append(_ write: Write) -> Bool {
        let (kept, wasEmpty) = lock.withLock {
            guard writes.count < capacity else { return (false, false) }
            writes.append(write)
            return (true, writes.count == 1)
        }
        guard kept else {
            logger.error(
                "Too many writes kept while the queue database fails; this one is lost",
                metadata: PendingWrites.metadata(of: write).merging(["store.pending": "\(capacity)"]) { $1 }
            )
            return false
        }
        if wasEmpty { onAppend() }
        return true
    }

    /// The oldest write kept, or `nil` when none is.
    var first: Write? {
        lock.withLock { writes.first }
    }

    /// Removes the oldest write, once it is stored.
    func removeFirst() {
        lock.withLock {
            if !writes.isEmpty { writes.removeFirst() }
        }
    }

    /// The writes kept now.
    var count: Int {
        lock.withLock { writes.count }
    }

    /// Removes and returns every write kept, oldest first.
    func removeAll() -> [Write] {
        lock.withLock {
            defer { writes.removeAll() }
            return writes
        }
    }

    /// Returns whether an accepted outcome under `providerMessageID` waits to be stored, so a
    /// report for it is held rather than dropped as unknown.
    func holdsAcceptance(providerID: String, providerMessageID: String) -> Bool {
        lock.withLock {
            writes.contains { write in
                guard case .outcome(let result) = write, result.providerID == providerID,
                    case .accepted(let accepted) = result.outcome
                else { return false }
                return accepted == providerMessageID
            }
        }
    }

    /// Returns the ids that name a write in a log line.
    static func metadata(of write: Write) -> Logger.Metadata {
        switch write {
        case .outcome(let result):
            ["message.id": "\(result.messageID)", "provider.id": result.providerID, "attempt.id": "\(result.attemptID)"]
        case .transition(let messageID, let transition, _):
            ["message.id": "\(messageID)", "message.state": transition.state.rawValue]
        case .report(let report):
            ["provider.id": report.providerID, "provider.messageID": report.providerMessageID]
        }
    }
}
