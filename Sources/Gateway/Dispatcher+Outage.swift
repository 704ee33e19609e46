import Diagnostics
import Foundation
import Store

extension Dispatcher {
    /// While every breaker is open: claims each ready message once, expires those past their
    /// `expiresAt`, and puts the others back with `notBefore` at the end of the earliest cool-down
    /// (or at their `expiresAt`, when that comes first).
    ///
    /// Each message gets a `notBefore` in the future, so this ends when the ready messages are
    /// used up and runs again only for messages that become ready later.
    func parkClaimableMessages(now: Date) async throws {
        let reopensAt = router.earliestUsableDate(excluding: [], now: now) ?? now.adding(policy.retryDelay)
        let notBefore = max(reopensAt, now.adding(.seconds(1)))
        while !draining {
            let claimed = try await store.claimBatch(
                now: now,
                lease: policy.claimLease.timeInterval,
                limit: Dispatcher.parkingBatch,
                owner: claimOwner
            )
            guard !claimed.isEmpty else { return }
            // The writes of one claim run side by side, so the store commits them together.
            await withTaskGroup(of: Void.self) { group in
                for message in claimed {
                    group.addTask { await self.park(message, notBefore: notBefore, now: now) }
                }
            }
        }
    }

    /// Messages claimed at once while parking.
    static let parkingBatch = 64

    private func park(_ message: MessageRecord, notBefore: Date, now: Date) async {
        let job = DispatchJob(message: message, historyExcluded: [])
        if let expiresAt = message.expiresAt, expiresAt <= now {
            await transition(job, to: Transition(to: .expired, reason: "expired before any provider accepted it"))
            return
        }
        if await failLapsedHandoff(job) { return }
        if await handOffToAnotherBox(job, exhausted: false, now: now) { return }
        await requeue(job, notBefore: notBefore, reason: "every provider's circuit breaker is open")
    }
}
