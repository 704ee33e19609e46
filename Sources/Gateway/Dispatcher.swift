import Diagnostics
import Foundation
import Store

/// Sends queued messages through the provider pool: claims by priority, routes each attempt,
/// applies the failover rules and records every step in the store.
///
/// One loop claims messages strictly by priority then age, only while the pool has a free slot
/// (`PoolPolicy.maxInFlight`) and some provider can take a send now. Each claim takes as many
/// messages as the pool can start sending at once (at least one), and their first attempts are
/// recorded in one write before the next claim, so first attempts start in claim order. When the claimed message has to wait for its provider (rate budget, send slots,
/// a throttle pause, within the priority's max wait), the loop waits with it and claims nothing
/// else. A `wake()` meanwhile puts it back in the queue, so a newer message of higher priority
/// goes first. Each message then runs as its own job: send, record, fail over.
///
/// The loop never polls. It sleeps until the store's next `notBefore`, a delivery deadline, the
/// date a provider becomes usable, a finished send, or `wake()`.
///
/// While every breaker is open, the loop still claims ready messages, to expire those past their
/// `expiresAt` and to put the others back with `notBefore` at the end of the earliest cool-down.
///
/// Call `recoverInterruptedAttempts()` once before `run()` when this process is the only one using
/// the store. Providers are started by the caller, with their reports going to `deliveryTracker`.
public actor Dispatcher {
    /// Receives the pool's delivery reports; wakes this dispatcher when it re-queues a message.
    public nonisolated let deliveryTracker: DeliveryTracker
    /// Seconds from each message's acknowledgement to its acceptance, per provider, for `/metrics`.
    public nonisolated let sendLatency = SendLatencyHistogram()

    /// The owner stored with every claim of this dispatcher: made once per run. The store never
    /// hands a message this owner claimed to another of its claims, so a step of the wall clock
    /// past a lease cannot take a message from a job still sending it.
    public nonisolated let claimOwner: ClaimOwner

    let store: any MessageStore
    /// The other boxes of a shared queue, for hand-offs; `nil` for a queue of one box.
    let boxes: (any BoxRegistry)?
    let providers: [String: any Provider]
    /// Ids of the providers that send delivery receipts, for `ReceiptWait`.
    let reportingProviders: Set<String>
    let policy: PoolPolicy
    let clock: any DispatchClock
    let logger: Logger
    let signal: DispatchSignal
    /// Outcomes, state changes and receipts that failed while the database could not be written,
    /// stored in order before the next claim.
    nonisolated let pendingWrites: PendingWrites
    var router: Router
    var draining = false
    var started = false
    /// The jobs of claimed messages, until each message leaves the job's hands.
    /// Keyed by a job number rather than the message id, because a message put back by a finishing
    /// job may be claimed again before that job has removed itself.
    var jobs: [UInt64: Task<Void, Never>] = [:]
    /// Jobs whose provider call has returned and that are storing its outcome. They no longer
    /// use a send slot, so they do not count against `PoolPolicy.maxInFlight` for claims. Their
    /// number stays small because claims wait for the same store writer.
    var settlingJobs: Set<UInt64> = []
    var nextJobNumber: UInt64 = 0
    /// The claimed message the loop waits with before its first attempt of this claim.
    var head: DispatchJob?
    /// The intake generation when `head` was claimed; a newer one puts `head` back in the queue.
    var headIntakeGeneration: UInt64 = 0
    /// The store's next `notBefore` while `head` waits. Reaching it puts `head` back in the queue,
    /// because a message that becomes ready then may rank ahead of it.
    var headYieldsAt: Date?
    var loopRunning = false
    var loopExitWaiters: [CheckedContinuation<Void, Never>] = []
    /// The one timer the loop's sleeps share: it rings `signal` at `date`.
    var alarm: (date: Date, task: Task<Void, Never>)?

    /// - Parameters:
    ///   - providers: one per `policy.providers` entry, matched by id.
    ///   - clock: the clock for every date written to the store and every sleep.
    ///   - logger: the dispatcher logs at `debug` only, with `message.id`, `provider.id` and `attempt`.
    ///   - claimOwner: the owner of this run's claims; a new one by default.
    ///   - boxes: on a shared queue, the registry through which a message this box cannot send is
    ///     handed off to a box that has a provider it has not tried (`BoxRegistry`).
    /// - Throws: `DispatcherError` when `providers` and `policy.providers` do not match one to one.
    public init(
        store: any MessageStore,
        providers: [any Provider],
        policy: PoolPolicy,
        clock: any DispatchClock = SystemDispatchClock(),
        logger: Logger,
        claimOwner: ClaimOwner = ClaimOwner(),
        boxes: (any BoxRegistry)? = nil
    ) throws(DispatcherError) {
        var byID: [String: any Provider] = [:]
        for provider in providers {
            guard byID[provider.id] == nil else { throw .duplicateProvider(id: provider.id) }
            guard policy.position(of: provider.id) != nil else { throw .providerNotInPool(id: provider.id) }
            byID[provider.id] = provider
        }
        for entry in policy.providers where byID[entry.id] == nil {
            throw .providerMissing(id: entry.id)
        }

        let signal = DispatchSignal()
        let pendingWrites = PendingWrites(logger: logger) { signal.ring() }
        self.claimOwner = claimOwner
        self.pendingWrites = pendingWrites
        self.store = store
        self.boxes = boxes
        self.providers = byID
        let reportingProviders = Set(providers.filter(\.sendsDeliveryReports).map(\.id))
        self.reportingProviders = reportingProviders
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.signal = signal
        self.router = Router(policy: policy, now: clock.now)
        self.deliveryTracker = DeliveryTracker(
            store: store,
            policy: policy,
            reportingProviders: reportingProviders,
            clock: clock,
            logger: logger.child(label: "delivery"),
            // A receipt for an attempt cut off on another box is adoptable only after that box's
            // lease has run out and a claim has marked the attempt ambiguous.
            heldReportRetention: max(.seconds(60), policy.claimLease + .seconds(30)),
            pendingWrites: pendingWrites,
            wakeDispatcher: { signal.ring() }
        )
    }

    /// Wakes the loop to look for ready messages: call it after committing new messages, and from
    /// a listener for other processes' submissions. Safe from any thread; costs one lock.
    public nonisolated func wake() {
        signal.ring(intake: true)
    }

    /// Runs the dispatch loop until `stop()` or cancellation, then waits for the jobs in flight.
    ///
    /// On cancellation it stops claiming and drains like `stop()`: sends in flight finish and are
    /// recorded, and messages waiting for a provider go back to the queue. It returns without
    /// throwing after a drain.
    /// After a `stop()` that came before it (a daemon stopped while it was still starting), it
    /// returns at once without claiming anything.
    /// A claim or wake-date query that fails (a database made read-only or a full disk) does not
    /// end the loop: it is logged and tried again after a pause that doubles from 1 s to 30 s, so
    /// the dispatcher carries on by itself once the fault is fixed. Outcomes, state changes and
    /// receipts that could not be stored meanwhile are kept in memory (`PendingWrites`) and
    /// stored, in order, before the next claim. Their messages stay claimed by this run.
    /// - Throws: `DispatcherError.notRestartable` on a second call; `StoreError.closed` when the
    ///   store was closed under it (after draining the jobs in flight).
    public func run() async throws {
        guard !started else { throw DispatcherError.notRestartable }
        started = true
        guard !draining else {
            logger.debug("Dispatcher stopped before it ran")
            return
        }
        loopRunning = true
        defer { finishLoop() }
        logger.debug("Dispatcher started", metadata: ["dispatcher.maxInFlight": "\(policy.maxInFlight)"])
        await deliveryTracker.restoreDeadlines()

        do {
            var failures = 0
            while !draining, !Task.isCancelled {
                do {
                    try await runOnce()
                    failures = 0
                } catch {
                    failures += 1
                    try await pauseAfterStoreFailure(error, failures: failures)
                }
            }
        } catch {
            draining = true
            await drainJobs()
            await storePendingWritesAtStop()
            throw error
        }
        draining = true
        await drainJobs()
        await storePendingWritesAtStop()
        logger.debug("Dispatcher stopped")
    }

    /// Stops claiming and returns when every job in flight has finished: sends in flight finish
    /// and are recorded, and messages waiting for a provider go back to the queue.
    public func stop() async {
        draining = true
        signal.ring()
        if loopRunning {
            await withCheckedContinuation { loopExitWaiters.append($0) }
        }
        await drainJobs()
    }

    /// Returns every provider in pool order with its breaker, throttle pause and send slots.
    public func providerStatuses() -> [ProviderStatus] {
        router.status(now: clock.now)
    }

    /// Reserves a health probe of a provider. Returns `false` while its breaker's cool-down runs or
    /// while its half-open trial is taken. A probe may run without this call, but then a message
    /// may be the half-open trial at the same time.
    public func beginProbe(providerID: String) -> Bool {
        router.beginProbe(provider: providerID, now: clock.now)
    }

    /// Records a health probe's result: a failed probe opens the provider's breaker, and a healthy
    /// probe closes one whose cool-down has passed.
    public func recordProbe(_ result: ProbeResult, providerID: String) {
        router.recordProbe(result, provider: providerID, now: clock.now)
        signal.ring()
    }

    /// Restarts the router's wall-clock spans (breaker cool-downs, rate refills, throttle pauses)
    /// from now after a step of the wall clock, and wakes the loop. Without it, a step back of an
    /// hour keeps an open breaker open for that hour more.
    /// NOTE: a job already waiting for a busy provider keeps its `max_wait` end on the wall clock.
    public func clockStepped() {
        let now = clock.now
        router.restartSpans(now: now)
        if headYieldsAt != nil { headYieldsAt = now }
        signal.ring()
    }

    /// Messages claimed by this dispatcher and not yet sent, failed or put back.
    public var messagesInFlight: Int {
        jobs.count + (head == nil ? 0 : 1)
    }

    /// Makes one pass: the writes kept during a database fault, due delivery deadlines, then one
    /// claim if the pool can send, else a sleep.
    private func runOnce() async throws {
        let generation = signal.generation
        let intakeGeneration = signal.intakeGeneration
        try await storePendingWrites()
        let now = clock.now
        if let due = await deliveryTracker.nextDeadline(), due <= now {
            await deliveryTracker.checkDeadlines(now: now)
        }
        if head != nil {
            await advanceHead()
            return
        }

        let canSend = router.hasUsableProvider(now: now)
        let claimable = jobs.count - settlingJobs.count < policy.maxInFlight
        if claimable, canSend {
            let claimed = try await store.claimBatch(
                now: now,
                lease: policy.claimLease.timeInterval,
                limit: claimLimit(now: now),
                owner: claimOwner
            )
            if !claimed.isEmpty {
                await startJobs(for: claimed, intakeGeneration: intakeGeneration)
                return
            }
        } else if router.allBreakersOpen(now: now) {
            try await parkClaimableMessages(now: now)
        }
        guard !draining else { return }

        // With every in-flight place taken, a finishing job rings the loop anyway. Skipping the
        // store's next wake date then saves a store call per claim under load.
        let deadline = try await nextWakeDate(includingStore: claimable, includingRouter: !canSend && claimable)
        await sleep(since: generation, until: deadline)
    }

    /// Sleeps until a ring after `generation` or until `deadline`, through the shared alarm.
    ///
    /// The loop sleeps once per claim. A timer task per sleep would hold its memory until its
    /// deadline even when cancelled (the next delivery deadline is often half an hour away), so
    /// the sleeps share one alarm, replaced only by an earlier deadline. An alarm that rings for
    /// a sleep already over wakes the loop once for nothing.
    private func sleep(since generation: UInt64, until deadline: Date?) async {
        if let deadline { setAlarm(at: deadline) }
        await signal.wait(since: generation, until: nil, clock: clock)
    }

    private func setAlarm(at date: Date) {
        if let alarm, alarm.date <= date { return }
        alarm?.task.cancel()
        let clock = clock
        let task = Task { [weak self] in
            guard (try? await clock.sleep(until: date)) != nil else { return }
            await self?.alarmRang(at: date)
        }
        alarm = (date, task)
    }

    private func alarmRang(at date: Date) {
        if alarm?.date == date { alarm = nil }
        signal.ring()
    }

    /// How many messages one claim takes: the sends the pool can start now without waiting, at
    /// least one and at most the free in-flight places.
    ///
    /// It counts the free send slots and rate tokens of the provider the router tries first: the
    /// first in pool order whose breaker is not open, with the others of its tier. A message waits
    /// for that provider rather than spill onto later ones, so later ones are not counted. A claim that size is handed to
    /// providers at once, so a message queued meanwhile with a higher priority is overtaken by at
    /// most one claim, never by a backlog. When the guess is too high, the extra messages go back
    /// to the queue.
    private func claimLimit(now: Date) -> Int {
        let free = policy.maxInFlight - (jobs.count - settlingJobs.count)
        guard free > 1 else { return max(free, 1) }
        var capacity = 0
        var leading: (found: Bool, tier: String?) = (false, nil)
        for (status, provider) in zip(router.status(now: now), policy.providers) {
            if case .open = status.breaker { continue }
            if leading.found {
                guard let tier = leading.tier, provider.tier == tier else { continue }
            } else {
                leading = (true, provider.tier)
            }
            capacity += Dispatcher.sendsStartableNow(status)
        }
        return min(free, max(capacity, 1))
    }

    /// Returns the sends one provider can start now: its free slots, bounded by its rate tokens,
    /// at most one for a half-open breaker, and none while it is paused.
    private static func sendsStartableNow(_ status: ProviderStatus) -> Int {
        guard status.pausedUntil == nil else { return 0 }
        var slots = max(0, status.maxConcurrentSends - status.sendsInFlight)
        if let tokens = status.availableTokens { slots = min(slots, Int(tokens.rounded(.down))) }
        if case .halfOpen = status.breaker { slots = min(slots, 1) }
        return slots
    }

    /// Logs a failed pass and waits before the next one: 1 s after the first failure in a row,
    /// doubling up to 30 s, or until `stop()`. Rethrows when the store is closed, which no pause
    /// can mend.
    private func pauseAfterStoreFailure(_ error: any Error, failures: Int) async throws {
        if case StoreError.closed = error { throw error }
        let pause = Duration.seconds(min(30, 1 << min(failures - 1, 5)))
        let metadata: Logger.Metadata = ["error": "\(error)", "dispatcher.failures": "\(failures)", "dispatcher.pause": "\(pause)"]
        if failures == 1 {
            logger.error("Queue database failed; claims paused until it works again", metadata: metadata)
        } else {
            logger.debug("Queue database still failing", metadata: metadata)
        }
        let generation = signal.generation
        await signal.wait(since: generation, until: clock.now.adding(pause), clock: clock)
    }

    /// Routes the waiting head message again, or puts it back after a `wake()` or on stop.
    private func advanceHead() async {
        guard var job = head else { return }
        head = nil
        let storeWakeReached = headYieldsAt.map { $0 <= clock.now } ?? false
        if draining || storeWakeReached || signal.intakeGeneration != headIntakeGeneration {
            await requeue(
                job,
                notBefore: nil,
                reason: "returned to the queue while waiting for a provider, to keep priority order"
            )
            return
        }
        let step = await route(&job)
        switch step {
        case .send:
            startJobTask(job, from: step)
        case .wait(let until, let generation):
            head = job
            headYieldsAt = try? await store.nextWakeDate(now: clock.now)
            let deadlines = [until, headYieldsAt, await deliveryTracker.nextDeadline()].compactMap { $0 }
            await sleep(since: generation, until: deadlines.min())
        case .finished:
            break
        }
    }

    /// Returns the earliest of the store's next `notBefore` (when asked), the next delivery
    /// deadline and, when the loop waits for a provider, the date one becomes usable.
    private func nextWakeDate(includingStore: Bool, includingRouter: Bool) async throws -> Date? {
        let now = clock.now
        var dates: [Date] = []
        if includingStore, let date = try await store.nextWakeDate(now: now) { dates.append(date) }
        if let date = await deliveryTracker.nextDeadline() { dates.append(date) }
        if includingRouter, let date = router.nextChangeDate(now: now) { dates.append(date) }
        return dates.min()
    }

    private func finishLoop() {
        loopRunning = false
        alarm?.task.cancel()
        alarm = nil
        let waiters = loopExitWaiters
        loopExitWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func drainJobs() async {
        if let job = head {
            head = nil
            await requeue(job, notBefore: nil, reason: "dispatcher stopping before the message was sent")
        }
        signal.ring()
        while let job = jobs.values.first {
            await job.value
        }
    }
}
