import Diagnostics
import Foundation
import Store

extension DeliveryTracker {
    /// Owes a sweep of the store for a `sent` message whose deadline is not kept in memory.
    func leaveToStore(_ messageID: MessageID, priority: Priority, updatedAt: Date) {
        if !sweep.isOwed {
            logger.debug(
                "Delivery deadlines beyond the in-memory limit are kept by sweeps of the store",
                metadata: ["delivery.maxInMemory": "\(maxAwaitedInMemory)"]
            )
        }
        sweep.owe(priority, through: updatedAt, due: updatedAt.adding(policy.settings(for: priority).deliveryDeadline))
        counters.overflowedDeadlines += 1
        logger.debug(
            "Delivery deadline kept by sweeps of the store",
            metadata: ["message.id": "\(messageID)", "message.priority": priority.rawValue]
        )
    }

    /// Owes a sweep again for a `sent` message not in memory whose latest update the store just
    /// moved to `updatedAt` (a pending report), so the sweeps go on until it is due.
    func restamped(_ message: MessageRecord, providerID: String, at updatedAt: Date) {
        guard awaited[message.id] == nil, reportingProviders.contains(providerID), sweep.isOwed else { return }
        let updated = max(updatedAt, clock.now)
        sweep.owe(
            message.priority,
            through: updated,
            due: updated.adding(policy.settings(for: message.priority).deliveryDeadline)
        )
    }

    /// Reads one batch of `sent` messages past their deadline from the store and re-routes each
    /// one not in memory as an in-memory deadline does. Then it schedules the next sweep: at once
    /// after a full batch, `sweepRetryDelay` later after a store error, else at the deadline of
    /// the oldest unread message (`scheduleNextSweep`).
    ///
    /// A message whose store calls fail stops the batch before it, so the next sweep reads it again.
    func sweepStore(now: Date) async {
        sweep.beginSweep()
        let cutoffs = sweep.cutoffs(now: now, policy: policy)
        let batch: [MessageRecord]
        do {
            batch = try await store.sentMessagesPastDeadline(
                cutoffs: cutoffs,
                providerIDs: reportingProviders,
                after: sweep.cursors,
                limit: sweepBatchSize
            )
        } catch {
            logger.error(
                "Could not read the sent messages past their delivery deadline",
                metadata: ["error": "\(error)"]
            )
            sweep.schedule(at: clock.now.adding(Self.sweepRetryDelay))
            return
        }
        for message in batch {
            if awaited[message.id] == nil, let providerID = message.providerID,
                let providerMessageID = message.providerMessageID
            {
                guard await rerouteIfStillSent(message.id, providerID, providerMessageID, now: now) else {
                    sweep.schedule(at: clock.now.adding(Self.sweepRetryDelay))
                    return
                }
            }
            sweep.advance(past: message)
        }
        guard batch.count < sweepBatchSize else {
            sweep.schedule(at: now)
            return
        }
        sweep.finish(through: cutoffs)
        await scheduleNextSweep()
        if !sweep.isOwed {
            logger.debug("Every delivery deadline is kept in memory again")
        }
    }

    /// Asks the store, for each priority still owed, for its oldest `sent` message the sweeps
    /// have not read, and schedules the next sweep at that message's deadline, but no sooner than
    /// `minimumSweepInterval` from now. A priority with no such message is no longer owed, unless
    /// a message was left out of memory meanwhile.
    private func scheduleNextSweep() async {
        let earliest = clock.now.adding(Self.minimumSweepInterval)
        for priority in sweep.owedThrough.keys.sorted() {
            let generation = sweep.generation
            let cursor = sweep.cursors[priority]
            let oldest: MessageRecord?
            do {
                oldest = try await store.sentMessagesPastDeadline(
                    cutoffs: [priority: .distantFuture],
                    providerIDs: reportingProviders,
                    after: cursor.map { [priority: $0] } ?? [:],
                    limit: 1
                ).first
            } catch {
                logger.error(
                    "Could not read the next delivery deadline kept by the store",
                    metadata: ["message.priority": priority.rawValue, "error": "\(error)"]
                )
                sweep.schedule(at: clock.now.adding(Self.sweepRetryDelay))
                continue
            }
            if let oldest {
                let due = oldest.updatedAt.adding(policy.settings(for: priority).deliveryDeadline)
                sweep.schedule(at: max(due, earliest))
            } else {
                sweep.clear(priority, unlessOwedSince: generation)
            }
        }
    }
}
