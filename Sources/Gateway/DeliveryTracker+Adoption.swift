import Diagnostics
import Foundation
import Store

extension DeliveryTracker {
    /// The outcome for a receipt whose id matches no recorded attempt.
    enum AdoptionResult {
        /// Adopted for an unresolved attempt; its message moved by the `ReceiptAdoption` table.
        case adopted
        /// The one candidate is still in flight: hold the receipt and look again later.
        case wait
        /// No single ambiguous attempt fits, or the store failed (logged).
        case unmatched
    }

    /// Looks for the one ambiguous attempt a receipt with an unrecorded id belongs to
    /// (`ReceiptMatcher`) and adopts the receipt for it (`ReceiptAdoption`).
    func adopt(_ report: DeliveryReport) async -> AdoptionResult {
        guard let recipient = report.recipient.flatMap(ReceiptMatcher.e164) else { return .unmatched }
        let metadata: Logger.Metadata = [
            "provider.id": report.providerID,
            "provider.messageID": report.providerMessageID,
            "report.status": report.status.rawValue,
        ]
        let candidate: UnresolvedAttempt
        do {
            let candidates = try await store.unresolvedAttempts(providerID: report.providerID, recipient: recipient)
            switch ReceiptMatcher.match(recipient: recipient, textPrefix: report.textPrefix, among: candidates) {
            case .one(let match):
                candidate = match
            case .inFlight:
                return .wait
            case .none:
                return .unmatched
            case .several(let count):
                logger.debug(
                    "Delivery report fits several ambiguous attempts; not adopted",
                    metadata: metadata.merging(["report.candidates": "\(count)"]) { $1 }
                )
                return .unmatched
            }
        } catch {
            logger.error(
                "Could not look for the attempt of a delivery report",
                metadata: metadata.merging(["error": "\(error)"]) { $1 }
            )
            return .unmatched
        }
        return await store(report, adoptedFor: candidate, metadata: metadata)
    }

    private func store(
        _ report: DeliveryReport,
        adoptedFor candidate: UnresolvedAttempt,
        metadata: Logger.Metadata
    ) async -> AdoptionResult {
        let status = report.status
        let providerID = report.providerID
        let providerMessageID = report.providerMessageID
        let receiptReason = report.reason
        let adopted: (message: MessageRecord, stored: Transition?)?
        do {
            adopted = try await store.adoptReceipt(
                attemptID: candidate.attempt.id,
                messageID: candidate.message.id,
                providerMessageID: providerMessageID,
                detail: ReceiptAdoption.detail(receiptReason),
                now: clock.now
            ) { message in
                ReceiptAdoption.transition(
                    for: status,
                    message: message,
                    providerID: providerID,
                    providerMessageID: providerMessageID,
                    receiptReason: receiptReason
                )
            }
        } catch {
            logger.error(
                "Could not adopt a delivery report",
                metadata: metadata.merging(["message.id": "\(candidate.message.id)", "error": "\(error)"]) { $1 }
            )
            return .unmatched
        }
        // Another report or box resolved the attempt first.
        guard let adopted else { return .unmatched }
        counters.adoptedReports += 1
        logger.debug(
            "Delivery report adopted for an ambiguous attempt",
            metadata: metadata.merging([
                "message.id": "\(adopted.message.id)",
                "message.state": adopted.stored?.state.rawValue ?? adopted.message.state.rawValue,
            ]) { $1 }
        )
        guard let stored = adopted.stored else { return .adopted }

        var message = adopted.message
        message.state = stored.state
        message.providerID = providerID
        message.providerMessageID = providerMessageID
        switch stored.state {
        case .delivered:
            stopAwaiting(message.id)
            counters.delivered += 1
        case .undelivered:
            stopAwaiting(message.id)
            counters.undelivered += 1
            await reroute(message, reason: "re-routed after an undelivered report from \(providerID): \(stored.reason ?? "")")
        case .sent:
            counters.pending += 1
            startAwaitingIfReporting(message, providerID: providerID, providerMessageID: providerMessageID)
        case .queued, .sending, .failed, .expired, .cancelled, .unknown:
            break
        }
        return .adopted
    }
}
