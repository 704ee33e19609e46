import Diagnostics
import Foundation
import Store

/// Hand-offs between the boxes of a shared queue; see `BoxRegistry`.
extension Dispatcher {
    /// Hands a message for which this box has no provider left, or none usable, to the first
    /// live box (by name) with a provider that this box does not have and the message has not
    /// tried. Returns whether it did; without a registry, another live box or such a provider,
    /// the caller fails or re-queues the message as before.
    ///
    /// A message already handed off to this box is handed on only when every provider here was
    /// tried (`exhausted`), never because they are unusable for now. Otherwise two boxes whose
    /// own modems are both down would pass it back and forth without end.
    func handOffToAnotherBox(_ job: DispatchJob, exhausted: Bool, now: Date) async -> Bool {
        guard let boxes, exhausted || job.message.handoffNode != boxes.node else { return false }
        let metadata: Logger.Metadata = ["message.id": "\(job.id)"]
        do {
            var tried = job.excluded.union(policy.providers.map(\.id))
            tried.formUnion(try await store.attempts(for: job.id).map(\.providerID))
            let candidates = try await boxes.liveBoxes()
            guard
                let target = candidates.first(where: { box in box.providerIDs.contains { !tried.contains($0) } })
            else { return false }
            let untried = target.providerIDs.filter { !tried.contains($0) }
            let cause =
                exhausted
                ? everyProviderFailedReason(job).replacingOccurrences(
                    of: "every provider failed",
                    with: "every provider of box '\(boxes.node)' failed"
                )
                : "no provider of box '\(boxes.node)' usable now"
            let reason = "handed off to box '\(target.node)' for \(untried.joined(separator: ", ")): \(cause)"
            try await boxes.handOff(job.id, to: target.node, reason: reason, now: now)
            logger.debug(
                "Message handed off to another box",
                metadata: metadata.merging(["box.node": target.node, "provider.ids": "\(untried)"]) { $1 }
            )
            return true
        } catch {
            logger.error(
                "Could not hand a message off to another box",
                metadata: metadata.merging(["error": "\(error)"]) { $1 }
            )
            return false
        }
    }

    /// Fails a claimed message whose hand-off to another box has lapsed: this box had already
    /// tried every provider it has, and the box it was handed to stopped heartbeating. Returns
    /// whether the message was such a one.
    func failLapsedHandoff(_ job: DispatchJob) async -> Bool {
        guard let boxes, let node = job.message.handoffNode, node != boxes.node else { return false }
        var reason =
            "every provider failed: handed off to box '\(node)', which sent no heartbeat for \(boxes.handoffWait)"
        if let last = job.message.lastReason { reason += "; before: \(last)" }
        await transition(job, to: Transition(to: .failed, reason: reason))
        logger.debug(
            "Hand-off lapsed; message failed",
            metadata: ["message.id": "\(job.id)", "box.node": node]
        )
        return true
    }
}
