import Diagnostics
import Foundation
import Store

extension Dispatcher {
    /// Stores the writes kept while the database failed (`PendingWrites`), oldest first, each
    /// dated when it first failed. Runs on the loop before each claim.
    ///
    /// Stops at the first write that fails again and throws its error, so the loop pauses as after
    /// a failed claim and tries again. A write whose message or attempt no longer exists is
    /// dropped with an error line rather than retried.
    func storePendingWrites() async throws {
        var stored = 0
        while let write = pendingWrites.first {
            do {
                try await storePending(write)
            } catch StoreError.messageNotFound, StoreError.attemptNotFound {
                logger.error(
                    "Dropped a kept write whose message or attempt no longer exists",
                    metadata: PendingWrites.metadata(of: write)
                )
            }
            pendingWrites.removeFirst()
            stored += 1
        }
        if stored > 0 {
            logger.notice("Stored the writes kept while the queue database failed", metadata: ["store.count": "\(stored)"])
        }
    }

    /// Stores what is still kept when the dispatcher stops; logs at error what it cannot store.
    /// The recovery at the next start settles those messages (their attempts become ambiguous).
    func storePendingWritesAtStop() async {
        guard pendingWrites.first != nil else { return }
        do {
            try await storePendingWrites()
        } catch {
            let lost = pendingWrites.removeAll()
            let ids = lost.compactMap { PendingWrites.metadata(of: $0)["message.id"].map { "\($0)" } }
            logger.error(
                "Writes kept while the queue database failed are lost at stop; the next start recovers their messages",
                metadata: ["message.ids": "\(ids)", "store.count": "\(lost.count)", "error": "\(error)"]
            )
        }
    }

    private func storePending(_ write: PendingWrites.Write) async throws {
        switch write {
        case .outcome(let result):
            try await store.finishAttempt(
                result.attemptID,
                outcome: result.outcome.attemptOutcome,
                providerMessageID: acceptedMessageID(result.outcome),
                detail: result.outcome.reason,
                then: result.next.map { (messageID: result.messageID, transition: $0) },
                now: result.at
            )
            await settleStored(result)
        case .transition(let messageID, let transition, let at):
            try await store.transition(messageID, transition, now: at)
        case .report(let report):
            if let error = await deliveryTracker.handleKept(report) { throw error }
        }
    }

    /// Does what the job would have done after storing the outcome: an accepted message starts
    /// waiting for its receipt, and an ambiguous one fails over when the policy selects failover.
    private func settleStored(_ result: PendingWrites.AttemptResult) async {
        switch result.outcome {
        case .accepted(let providerMessageID):
            await deliveryTracker.recordAccepted(
                messageID: result.messageID,
                providerID: result.providerID,
                providerMessageID: providerMessageID,
                priority: result.priority,
                at: result.at
            )
        case .ambiguous:
            do {
                let summary = try await AmbiguityRecovery.apply(
                    to: [result.messageID],
                    store: store,
                    policy: policy,
                    now: clock.now,
                    logger: logger,
                    reason: "outcome unknown: it could not be recorded while the queue database failed; failing over",
                    reportingProviders: reportingProviders
                )
                if !summary.requeued.isEmpty { signal.ring() }
            } catch {
                logger.error(
                    "Could not apply the ambiguity rule to a message",
                    metadata: ["message.id": "\(result.messageID)", "error": "\(error)"]
                )
            }
        case .unavailable, .throttled, .recipientError:
            break
        }
    }

    private func acceptedMessageID(_ outcome: SendOutcome) -> String? {
        if case .accepted(let providerMessageID) = outcome { return providerMessageID }
        return nil
    }
}
