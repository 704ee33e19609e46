import Diagnostics
import Foundation
import Store

extension Dispatcher {
    /// Prepares the messages of one claim, in claim order, records the first attempts of those
    /// that can be sent now in one write, and hands each to its own job.
    ///
    /// The first message that has to wait for a provider becomes the loop's head. The messages
    /// claimed after it go back to the queue, so none of them overtakes it. This runs on the loop,
    /// so these attempt rows are committed before the next claim.
    func startJobs(for messages: [MessageRecord], intakeGeneration: UInt64) async {
        var sends: [(job: DispatchJob, providerID: String)] = []
        sends.reserveCapacity(messages.count)
        for (index, message) in messages.enumerated() {
            guard var job = await prepareJob(for: message) else { continue }
            if await failLapsedHandoff(job) { continue }
            switch await decide(&job) {
            case .send(let providerID):
                sends.append((job, providerID))
            case .step(.wait):
                head = job
                headIntakeGeneration = intakeGeneration
                headYieldsAt = nil
                for later in messages[(index + 1)...] {
                    await requeue(
                        DispatchJob(message: later, historyExcluded: []),
                        notBefore: nil,
                        reason: "returned to the queue behind a message waiting for a provider"
                    )
                }
                await beginFirstAttempts(sends)
                return
            case .step:
                continue
            }
        }
        await beginFirstAttempts(sends)
    }

    /// Reads the attempt history of a claimed message that was tried before, and makes its job.
    /// Returns `nil` when the history cannot be read, and puts the message back in the queue.
    private func prepareJob(for message: MessageRecord) async -> DispatchJob? {
        var historyExcluded = Set<String>()
        if message.attempts > 0 {
            do {
                let attempts = try await store.attempts(for: message.id)
                historyExcluded = AttemptHistory.excludedProviders(attempts, policy: policy)
                // A message handed off to this box goes to the providers it has not tried.
                if let boxes, message.handoffNode == boxes.node {
                    historyExcluded.formUnion(attempts.map(\.providerID))
                }
            } catch {
                logger.error(
                    "Could not read the attempts of a claimed message",
                    metadata: ["message.id": "\(message.id)", "error": "\(error)"]
                )
                await transition(DispatchJob(message: message, historyExcluded: []), to: Dispatcher.unrecordedRequeue)
                return nil
            }
        }
        logger.debug(
            "Message claimed",
            metadata: [
                "message.id": "\(message.id)",
                "message.priority": message.priority.rawValue,
                "message.recipient": redactedPhoneNumber(message.recipient),
            ]
        )
        return DispatchJob(message: message, historyExcluded: historyExcluded)
    }

    /// Records the attempts of routed messages in one write, then starts their jobs in order.
    /// When the write fails, the reservations are given back and the messages go back to the
    /// queue, through `pendingWrites` while the database fails.
    private func beginFirstAttempts(_ sends: [(job: DispatchJob, providerID: String)]) async {
        guard !sends.isEmpty else { return }
        let starts = sends.map { AttemptStart(messageID: $0.job.id, providerID: $0.providerID) }
        let attemptIDs: [AttemptID]
        do {
            attemptIDs = try await store.beginAttempts(starts, now: clock.now)
        } catch {
            for send in sends { router.cancelReservation(provider: send.providerID) }
            signal.ring()
            logger.error(
                "Could not record attempts",
                metadata: ["message.ids": "\(starts.map(\.messageID))", "error": "\(error)"]
            )
            for send in sends {
                await transition(send.job, to: Dispatcher.unrecordedRequeue)
            }
            return
        }
        for (send, attemptID) in zip(sends, attemptIDs) {
            var job = send.job
            job.attempts += 1
            startJobTask(job, from: .send(providerID: send.providerID, attemptID: attemptID, attempt: job.attempts))
        }
    }

    /// Runs the rest of a message's dispatch in its own task.
    func startJobTask(_ job: DispatchJob, from step: DispatchStep) {
        nextJobNumber &+= 1
        let number = nextJobNumber
        jobs[number] = Task { await self.runJob(job, from: step, number: number) }
    }

    /// Runs a job's steps until the message leaves its hands, then frees its slot.
    private func runJob(_ initial: DispatchJob, from firstStep: DispatchStep, number: UInt64) async {
        var job = initial
        var step = firstStep
        while true {
            switch step {
            case .send(let providerID, let attemptID, let attempt):
                step = await send(&job, providerID: providerID, attemptID: attemptID, attempt: attempt, number: number)
            case .wait(let until, let generation):
                await signal.wait(since: generation, until: until, clock: clock)
                step = await route(&job)
            case .finished:
                jobs[number] = nil
                settlingJobs.remove(number)
                signal.ring()
                return
            }
        }
    }

    /// Chooses the job's next step: a committed attempt, a wait for a provider, or a final or
    /// re-queued state.
    func route(_ job: inout DispatchJob) async -> DispatchStep {
        switch await decide(&job) {
        case .send(let providerID):
            return await beginAttempt(&job, providerID: providerID)
        case .step(let step):
            return step
        }
    }

    /// A routing decision before its attempt is recorded.
    enum RouteDecision {
        /// The provider is reserved. Record the attempt, then send.
        case send(providerID: String)
        /// Any other step. A final or re-queued state is already stored.
        case step(DispatchStep)
    }

    /// Chooses the job's provider and reserves it, or stores the state that ends the job's claim.
    func decide(_ job: inout DispatchJob) async -> RouteDecision {
        let now = clock.now
        if let expiresAt = job.message.expiresAt, expiresAt <= now {
            await transition(job, to: Transition(to: .expired, reason: "expired before any provider accepted it"))
            return .step(.finished)
        }
        if job.attempts >= policy.maxAttempts {
            let reason = everyProviderFailedReason(job)
            await transition(job, to: Transition(to: .failed, reason: reason))
            return .step(.finished)
        }
        if draining {
            await requeue(job, notBefore: nil, reason: "dispatcher stopping before the message was sent")
            return .step(.finished)
        }

        let remainingWait = job.waitDeadline.map { Duration.clampedSeconds($0.timeIntervalSince(now)) }
        let generation = signal.generation
        switch router.nextProvider(for: job.message.priority, excluding: job.excluded, maxWait: remainingWait, now: now)
        {
        case .send(let providerID):
            return .send(providerID: providerID)
        case .wait(let until, let providerID):
            let waitDeadline = job.waitDeadline ?? now.adding(policy.settings(for: job.message.priority).maxWait)
            job.waitDeadline = waitDeadline
            logger.debug(
                "Message waits for a provider",
                metadata: ["message.id": "\(job.id)", "provider.id": providerID]
            )
            return .step(.wait(until: min(until ?? waitDeadline, waitDeadline), generation: generation))
        case .unusable(let earliest):
            if await handOffToAnotherBox(job, exhausted: false, now: now) { return .step(.finished) }
            let notBefore = earliest ?? now.adding(policy.retryDelay)
            await requeue(job, notBefore: notBefore, reason: unusableReason(job))
            return .step(.finished)
        case .exhausted:
            return .step(await finishExhausted(job, now: now))
        }
    }

    /// Commits the attempt row before the provider is called.
    private func beginAttempt(_ job: inout DispatchJob, providerID: String) async -> DispatchStep {
        do {
            let attemptID = try await store.beginAttempt(messageID: job.id, providerID: providerID, now: clock.now)
            job.attempts += 1
            return .send(providerID: providerID, attemptID: attemptID, attempt: job.attempts)
        } catch {
            router.cancelReservation(provider: providerID)
            signal.ring()
            logger.error(
                "Could not record an attempt",
                metadata: ["message.id": "\(job.id)", "provider.id": providerID, "error": "\(error)"]
            )
            await transition(job, to: Dispatcher.unrecordedRequeue)
            return .finished
        }
    }

    /// Hands the message to the provider, records the outcome and applies the failover rules.
    private func send(
        _ job: inout DispatchJob,
        providerID: String,
        attemptID: AttemptID,
        attempt: Int,
        number: UInt64
    ) async -> DispatchStep {
        let message = job.message
        // Built only when a line is written: this runs once per message.
        let messageID = job.id
        let metadata = { () -> Logger.Metadata in
            ["message.id": "\(messageID)", "provider.id": providerID, "attempt": "\(attempt)"]
        }
        logger.debug("Sending message", metadata: metadata())
        let outbound = OutboundSMS(
            messageID: message.id,
            attempt: attempt,
            recipient: message.recipient,
            text: message.text,
            priority: message.priority
        )
        let outcome: SendOutcome
        if let provider = providers[providerID] {
            outcome = await provider.send(outbound)
        } else {
            outcome = .unavailable(reason: "provider '\(providerID)' is not configured")
        }

        let now = clock.now
        router.record(outcome, provider: providerID, now: now)
        // The send slot is free: the loop may claim the next message while this outcome is stored.
        settlingJobs.insert(number)
        defer { settlingJobs.remove(number) }
        signal.ring()
        logger.debug(
            "Attempt finished",
            metadata: metadata().merging(["attempt.outcome": outcome.attemptOutcome.rawValue]) { $1 }
        )
        let next = stateAfter(outcome, providerID: providerID)
        do {
            try await store.finishAttempt(
                attemptID,
                outcome: outcome.attemptOutcome,
                providerMessageID: acceptedID(outcome),
                detail: outcome.reason,
                then: next.map { (messageID: job.id, transition: $0) },
                now: now
            )
        } catch {
            // Kept in memory and stored once the database takes writes again; the message stays
            // claimed by this run meanwhile.
            logger.error(
                "Could not record an attempt's outcome; it is kept until the queue database takes writes again",
                metadata: metadata().merging(["error": "\(error)"]) { $1 }
            )
            let result = PendingWrites.AttemptResult(
                attemptID: attemptID,
                messageID: job.id,
                providerID: providerID,
                outcome: outcome,
                priority: job.message.priority,
                next: next,
                at: now
            )
            pendingWrites.append(.outcome(result))
            if next != nil { return .finished }
        }
        if next != nil {
            logger.trace(
                "Message state changed",
                metadata: ["message.id": "\(job.id)", "message.state": next?.state.rawValue ?? ""]
            )
        }
        return await apply(outcome, to: &job, providerID: providerID, now: now)
    }

    /// Returns the state an outcome moves the message to, which is stored with the outcome in one
    /// write, or `nil` when the message stays `sending` for another provider.
    private func stateAfter(_ outcome: SendOutcome, providerID: String) -> Transition? {
        switch outcome {
        case .accepted(let providerMessageID):
            Transition(to: .sent, providerID: providerID, providerMessageID: providerMessageID)
        case .recipientError(let reason):
            Transition(to: .failed, providerID: providerID, reason: reason)
        case .ambiguous(let reason):
            Transition(to: .unknown, providerID: providerID, reason: reason)
        case .unavailable, .throttled:
            nil
        }
    }

    /// Applies the failover table to an attempt's outcome, whose new state (`stateAfter`) is stored.
    private func apply(
        _ outcome: SendOutcome,
        to job: inout DispatchJob,
        providerID: String,
        now: Date
    ) async -> DispatchStep {
        switch outcome {
        case .accepted(let providerMessageID):
            sendLatency.observe(now.timeIntervalSince(job.message.createdAt), provider: providerID)
            await deliveryTracker.recordAccepted(
                messageID: job.id,
                providerID: providerID,
                providerMessageID: providerMessageID,
                priority: job.message.priority,
                at: now
            )
            return .finished

        case .recipientError:
            return .finished

        case .unavailable(let reason):
            job.excluded.insert(providerID)
            job.reasons.append("\(providerID): \(reason)")
            return await route(&job)

        case .throttled(_, let reason):
            // The provider stays a candidate: the router makes the message wait for its pause
            // within the priority's max wait, counted from the first throttle.
            job.reasons.append("\(providerID): \(reason)")
            if job.waitDeadline == nil {
                job.waitDeadline = now.adding(policy.settings(for: job.message.priority).maxWait)
            }
            return await route(&job)

        case .ambiguous(let reason):
            job.reasons.append("\(providerID): \(reason)")
            guard policy.ambiguityAction(for: job.message.priority) == .failover else { return .finished }
            job.excluded.insert(providerID)
            job.historyExcluded.insert(providerID)
            return await route(&job)
        }
    }

    /// Handles a message for which every provider is excluded. It goes back to the queue for a new
    /// round when some provider failed only during this claim. Else it waits for the receipt of
    /// its ambiguous attempt when `ReceiptWait` applies, or it fails.
    private func finishExhausted(_ job: DispatchJob, now: Date) async -> DispatchStep {
        if await handOffToAnotherBox(job, exhausted: true, now: now) { return .finished }
        guard job.failedOnlyForNow else {
            if await waitForReceipt(job) { return .finished }
            await transition(job, to: Transition(to: .failed, reason: everyProviderFailedReason(job)))
            return .finished
        }
        let earliest = router.earliestUsableDate(excluding: job.historyExcluded, now: now) ?? now
        let notBefore = max(earliest, now.adding(policy.retryDelay))
        await requeue(job, notBefore: notBefore, reason: unusableReason(job))
        return .finished
    }

    /// Leaves the message `unknown` until the end of its wait for the receipt of its ambiguous
    /// attempt (`ReceiptWait`) and returns `true`. Returns `false` when the rule does not apply or
    /// the attempts cannot be read.
    private func waitForReceipt(_ job: DispatchJob) async -> Bool {
        let priority = job.message.priority
        guard priority == .normal || priority == .bulk, policy.ambiguityAction(for: priority) == .failover,
            job.attempts < policy.maxAttempts, !reportingProviders.isEmpty
        else { return false }
        let attempts: [AttemptRecord]
        do {
            attempts = try await store.attempts(for: job.id)
        } catch {
            logger.error(
                "Could not read the attempts of a message to wait for its receipt",
                metadata: ["message.id": "\(job.id)", "error": "\(error)"]
            )
            return false
        }
        guard
            let end = ReceiptWait.end(
                priority: priority,
                attemptCount: job.attempts,
                attempts: attempts,
                expiresAt: job.message.expiresAt,
                policy: policy,
                reportingProviders: reportingProviders
            ),
            let providerID = attempts.max(by: { $0.id < $1.id })?.providerID
        else { return false }
        logger.debug(
            "Message waits for the receipt of an ambiguous attempt",
            metadata: ["message.id": "\(job.id)", "provider.id": providerID]
        )
        let waiting = Transition(to: .unknown, reason: ReceiptWait.reason(providerID: providerID, until: end), notBefore: end)
        await transition(job, to: waiting)
        signal.ring()
        return true
    }

    /// Puts the message back in the queue; `notBefore` never passes `expiresAt`, so an unsendable
    /// message is claimed again in time to expire.
    func requeue(_ job: DispatchJob, notBefore: Date?, reason: String) async {
        var notBefore = notBefore
        if let date = notBefore, let expiresAt = job.message.expiresAt, expiresAt < date {
            notBefore = expiresAt
        }
        logger.debug(
            "Message back in the queue",
            metadata: ["message.id": "\(job.id)", "message.notBefore": notBefore.map { "\($0)" } ?? "none"]
        )
        await transition(job, to: Transition(to: .queued, reason: reason, notBefore: notBefore))
    }

    /// Stores a transition. On a store error it logs and keeps the transition in `pendingWrites`,
    /// stored once the database takes writes again. Returns whether it was stored now.
    @discardableResult
    func transition(_ job: DispatchJob, to transition: Transition) async -> Bool {
        let now = clock.now
        do {
            try await store.transition(job.id, transition, now: now)
            logger.trace(
                "Message state changed",
                metadata: ["message.id": "\(job.id)", "message.state": transition.state.rawValue]
            )
            return true
        } catch {
            logger.error(
                "Could not store a message's new state; it is kept until the queue database takes writes again",
                metadata: ["message.id": "\(job.id)", "message.state": transition.state.rawValue, "error": "\(error)"]
            )
            pendingWrites.append(.transition(messageID: job.id, transition, at: now))
            return false
        }
    }

    /// The state of a claimed message whose attempt could not be recorded: back in the queue.
    static let unrecordedRequeue = Transition(
        to: .queued,
        reason: "back in the queue: the queue database failed before the attempt was recorded"
    )

    func everyProviderFailedReason(_ job: DispatchJob) -> String {
        if job.reasons.isEmpty {
            let last = job.message.lastReason.map { "; last: \($0)" } ?? ""
            return "every provider failed: no provider left to try after \(job.attempts) attempts\(last)"
        }
        return "every provider failed: " + job.reasons.joined(separator: "; ")
    }

    private func unusableReason(_ job: DispatchJob) -> String {
        if job.reasons.isEmpty { return "no provider usable now" }
        return "no provider usable now: " + job.reasons.joined(separator: "; ")
    }

    private func acceptedID(_ outcome: SendOutcome) -> String? {
        if case .accepted(let providerMessageID) = outcome { return providerMessageID }
        return nil
    }
}
