import Foundation
import Store

/// The delivery tracker's record of the `sent` messages whose deadline it keeps in the store
/// rather than in memory, and of how far its sweeps of the store have got.
///
/// For each priority it owes a sweep through a date: the latest update of a `sent` message left
/// out of memory (or, after a start-up, the start-up time, for every `sent` message already
/// stored). Sweeps read the store in the order of `SentMessageCursor`, and the cursor of each
/// priority is the last message a sweep was given, so no message is read twice by sweeps that
/// follow each other. A priority stops being owed when a sweep has read every message up to a
/// cutoff at or after its date. It also stops when the store contains no unread `sent` message
/// of that priority and nothing was owed meanwhile.
///
/// Sweep times are wall dates, like the cutoffs they are compared with.
struct DeadlineSweep: Sendable {
    /// Per priority, the date through which `sent` messages may have no deadline in memory.
    private(set) var owedThrough: [Priority: Date] = [:]
    /// Per priority, the last message a sweep was given.
    private(set) var cursors: [Priority: SentMessageCursor] = [:]
    /// When the next sweep is due; `nil` when none is owed.
    private(set) var nextSweep: Date?
    /// Counts the calls of `owe`, so a sweep can tell whether a debt was added while it read.
    private(set) var generation: UInt64 = 0

    /// Whether any sweep is owed: the tracker has overflowed, or has just started.
    var isOwed: Bool { !owedThrough.isEmpty }

    /// Records that a `sent` message of `priority`, last updated at `updated`, has no deadline in
    /// memory, and that its deadline falls at `due`.
    mutating func owe(_ priority: Priority, through updated: Date, due: Date) {
        generation &+= 1
        owedThrough[priority] = max(owedThrough[priority] ?? updated, updated)
        schedule(at: due)
    }

    /// Moves the next sweep to `date` if that is earlier.
    mutating func schedule(at date: Date) {
        nextSweep = min(nextSweep ?? date, date)
    }

    /// Clears the next sweep, for a sweep that starts now and schedules the following one itself.
    mutating func beginSweep() {
        nextSweep = nil
    }

    /// Returns, for each owed priority, the latest update a message may have to be past its
    /// deadline at `now`.
    ///
    /// A cursor after its priority's cutoff means the wall clock went back: that priority is read
    /// again from its start, so a message stamped by the earlier clock is not left behind.
    mutating func cutoffs(now: Date, policy: PoolPolicy) -> [Priority: Date] {
        var cutoffs: [Priority: Date] = [:]
        for priority in owedThrough.keys {
            let cutoff = now.adding(.zero - policy.settings(for: priority).deliveryDeadline)
            if let cursor = cursors[priority], cursor.updatedAt > cutoff { cursors[priority] = nil }
            cutoffs[priority] = cutoff
        }
        return cutoffs
    }

    /// Moves the cursor of `message`'s priority past it.
    mutating func advance(past message: MessageRecord) {
        let position = SentMessageCursor(message)
        cursors[message.priority] = max(cursors[message.priority] ?? position, position)
    }

    /// Records a sweep that read every message up to `cutoffs`: a priority owed through a date at
    /// or before its cutoff is no longer owed. With none owed, no sweep is scheduled.
    mutating func finish(through cutoffs: [Priority: Date]) {
        for (priority, cutoff) in cutoffs where (owedThrough[priority].map { $0 <= cutoff } ?? false) {
            owedThrough[priority] = nil
        }
        if owedThrough.isEmpty { nextSweep = nil }
    }

    /// Records that the store contained no unread `sent` message of `priority`, so it is no
    /// longer owed unless `owe` was called since `generation`. With none owed, no sweep is
    /// scheduled.
    mutating func clear(_ priority: Priority, unlessOwedSince generation: UInt64) {
        guard generation == self.generation else { return }
        owedThrough[priority] = nil
        if owedThrough.isEmpty { nextSweep = nil }
    }
}
