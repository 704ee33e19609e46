import Diagnostics
import Foundation
import Store

extension DeliveryTracker {
    /// Applies a report to the message it matched.
    func apply(_ report: DeliveryReport, to message: MessageRecord) async {
        let metadata: Logger.Metadata = [
            "message.id": "\(message.id)",
            "provider.id": report.providerID,
            "report.status": report.status.rawValue,
        ]
        let isCurrent =
            message.providerID == report.providerID
            && message.providerMessageID == report.providerMessageID
        guard isCurrent else {
            await applyStale(report, to: message, metadata: metadata)
            return
        }
        logger.debug("Delivery report", metadata: metadata)

        switch report.status {
        case .delivered:
            stopAwaiting(message.id)
            let delivered = Transition(to: .delivered, providerID: report.providerID, reason: report.reason)
            if await save(delivered, for: message.id) {
                counters.delivered += 1
            }

        case .undelivered:
            stopAwaiting(message.id)
            let reason = report.reason ?? "the provider reported the message undelivered"
            let undelivered = Transition(to: .undelivered, providerID: report.providerID, reason: reason)
            guard await save(undelivered, for: message.id) else { return }
            counters.undelivered += 1
            await reroute(message, reason: "re-routed after an undelivered report from \(report.providerID): \(reason)")

        case .pending:
            guard message.state == .sent else { return }
            let event = Transition(
                to: .sent,
                providerID: report.providerID,
                providerMessageID: report.providerMessageID,
                reason: report.reason ?? "pending"
            )
            if await save(event, for: message.id) {
                counters.pending += 1
                restamped(message, providerID: report.providerID, at: clock.now)
            }
        }
    }

    /// Sends a message back to the queue for the providers after the one that accepted it.
    /// Returns `false` when it has used its attempts or no provider is left.
    @discardableResult
    func reroute(_ message: MessageRecord, reason: String) async -> Bool {
        let metadata: Logger.Metadata = ["message.id": "\(message.id)", "attempt": "\(message.attempts)"]
        guard message.attempts < policy.maxAttempts else {
            logger.debug("Message not re-routed: no attempts left", metadata: metadata)
            return false
        }
        do {
            let attempts = try await store.attempts(for: message.id)
            guard AttemptHistory.hasRemainingProvider(attempts, policy: policy) else {
                logger.debug("Message not re-routed: no provider after the one that accepted it", metadata: metadata)
                return false
            }
        } catch {
            noteStoreFailure(error)
            logger.error(
                "Could not read a message's attempts",
                metadata: metadata.merging(["error": "\(error)"]) { $1 }
            )
            return false
        }
        let queued = Transition(to: .queued, providerID: message.providerID, reason: reason)
        guard await save(queued, for: message.id) else { return false }
        counters.rerouted += 1
        logger.debug("Message re-routed", metadata: metadata)
        wakeDispatcher()
        return true
    }

    /// Applies a report for an earlier attempt of a message that has moved on (re-routed, or sent
    /// again elsewhere). A `delivered` report still counts because the handset has the message, so
    /// an unfinished message becomes `delivered`, unless it is queued or being sent right now.
    private func applyStale(_ report: DeliveryReport, to message: MessageRecord, metadata: Logger.Metadata) async {
        counters.staleReports += 1
        logger.debug("Delivery report for an earlier attempt", metadata: metadata)
        guard report.status == .delivered else { return }
        switch message.state {
        case .sent, .undelivered, .unknown:
            stopAwaiting(message.id)
            let delivered = Transition(to: .delivered, providerID: report.providerID, reason: report.reason)
            if await save(delivered, for: message.id) {
                counters.delivered += 1
            }
        case .queued, .sending, .delivered, .failed, .expired, .cancelled:
            break
        }
    }

    /// Re-routes a message past its delivery deadline if it is still `sent` with the provider
    /// message id it was awaited under. Otherwise a receipt or another box has moved it, so it is
    /// left alone. Returns `false` when a store call failed and the message may not be handled.
    @discardableResult
    func rerouteIfStillSent(
        _ messageID: MessageID,
        _ providerID: String,
        _ providerMessageID: String,
        now: Date
    ) async -> Bool {
        let message: MessageRecord?
        do {
            message = try await store.message(messageID)
        } catch {
            logger.error(
                "Could not read a message past its delivery deadline",
                metadata: ["message.id": "\(messageID)", "error": "\(error)"]
            )
            return false
        }
        guard let message, message.state == .sent, message.providerID == providerID,
            message.providerMessageID == providerMessageID
        else { return true }
        counters.missedDeadlines += 1
        let deadline = policy.settings(for: message.priority).deliveryDeadline
        let failuresBefore = storeFailures
        await reroute(message, reason: "no final delivery report from \(providerID) within \(deadline)")
        return storeFailures == failuresBefore
    }

    private func save(_ transition: Transition, for messageID: MessageID) async -> Bool {
        do {
            try await store.transition(messageID, transition, now: clock.now)
            return true
        } catch {
            noteStoreFailure(error)
            logger.error(
                "Could not store a delivery state",
                metadata: [
                    "message.id": "\(messageID)", "message.state": transition.state.rawValue, "error": "\(error)",
                ]
            )
            return false
        }
    }
}
