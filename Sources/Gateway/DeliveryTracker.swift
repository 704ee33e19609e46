import Diagnostics
import Foundation
import Store

/// Applies delivery reports from every provider to the queue, and re-routes messages whose
/// report is undelivered or never comes.
///
/// - `delivered`: the message becomes `delivered`.
/// - `undelivered`: an `undelivered` event, then the message goes back to `queued` for the
///   providers after the one that accepted it (`AttemptHistory`), unless it has used
///   `PoolPolicy.maxAttempts` or no provider is left; then it stays `undelivered`.
/// - `pending`: an event on the `sent` message, nothing else.
///
/// A report can arrive before the dispatcher has stored the acceptance (an SMSC may send
/// `deliver_sm` before the `submit_sm_resp` is processed). Such a report is held for
/// `heldReportRetention` (at most `maxHeldReports` of them) and looked up again when the
/// acceptance is recorded and once more when the retention ends; then it is dropped and counted
/// as unknown.
///
/// A report for an id no message carries may belong to an attempt whose acceptance was never
/// recorded (its `submit_sm_resp` lost to a crash): it is matched by handset and text to the one
/// ambiguous attempt it fits and adopted for it (`ReceiptMatcher`, `ReceiptAdoption`), at once
/// when that attempt is already ambiguous, else when the retention ends. A report that fits no
/// attempt, or several, is logged at `debug` and counted.
///
/// A `normal` or `bulk` message with no provider left after an ambiguous attempt on a provider
/// that sends receipts waits `unknown` for such a receipt until the priority's delivery deadline
/// (`ReceiptWait`). The end of the wait is stored with the message, so it survives this box. Other messages
/// do not wait: emergency and high ones must not, and an adopted `delivered` receipt still turns
/// a `queued` or `failed` message `delivered` when it comes.
///
/// Messages sent through a provider that sends reports get a delivery deadline (the priority's
/// `deliveryDeadline`); the dispatcher's loop calls `checkDeadlines(now:)` when the earliest one is
/// due, and a message still `sent` then is re-routed like an undelivered one.
///
/// ## Deadlines in memory and in the store
///
/// The tracker keeps at most `maxAwaitedInMemory` deadlines in memory (an estimated 100 to 160
/// bytes each). A message sent while that many are held gets no entry. Instead the tracker
/// notes that its priority is owed a sweep, and sweeps of the store find the message once its
/// deadline has passed. A sweep is one call of `MessageStore.sentMessagesPastDeadline` (an index
/// seek per provider and priority) for at most `sweepBatchSize` messages. Each start-up owes a
/// sweep of every priority, so every `sent` message left by an earlier run reaches its deadline,
/// however many there are. A swept message goes through the same check as one in memory: it is
/// read again and re-routed only if it is still `sent` with the same provider message id. So a
/// receipt that raced the sweep, or another box of a shared queue, is not undone, and no message
/// is re-routed twice.
///
/// Every change of `awaited` and of the sweep's record (`DeadlineSweep`) keeps one invariant.
/// The invariant: take any `sent` message of a reporting provider whose deadline this tracker has
/// not checked yet. Either it is in memory, or its priority is still owed a sweep through a date
/// at or after the message's latest update and the message comes after that priority's sweep
/// cursor. A
/// priority stops being owed only when a sweep has read every message up to a cutoff at or
/// after that date, or when the store contains no unread `sent` message of that priority and no
/// message was left out of memory meanwhile. A swept message that is in memory is left to its
/// in-memory deadline, and the cursor moves past it.
///
/// NOTE: a message the store itself moves to `sent` (a claim that finds an accepted attempt
/// after a lease ran out) is not reported to the tracker, so it gets its deadline only from the
/// sweep of the next start-up.
///
/// While a sweep is owed, `nextDeadline()` returns the deadline of the oldest unread `sent`
/// message the store reports for an owed priority (read after each sweep), or the deadline of a
/// message just left out of memory if that is earlier. So the dispatcher sleeps until a message
/// is due rather than polling, and an idle box does not wake at all. Sweeps are at least
/// `minimumSweepInterval` apart (a message may be re-routed up to that much late), except that
/// a full batch is followed by the next at once. After a store error the sweep is tried again
/// after `sweepRetryDelay`.
///
/// The two kinds of deadline run on different clocks. A deadline in memory counts elapsed time
/// (the monotonic clock): setting the system clock forward or back neither re-routes those
/// messages early nor holds them back. A deadline kept by the store is counted from the time of
/// the message's latest update as the system clock shows it: setting the clock forward by an
/// hour re-routes such messages up to an hour early, and setting it back delays them. A pending
/// report restamps a message's latest update, so it starts a store-kept deadline afresh but
/// leaves one in memory as it was.
public actor DeliveryTracker {
    /// Report and re-route counts since the tracker started, for metrics.
    public struct Counters: Sendable, Equatable {
        public var delivered = 0
        public var undelivered = 0
        public var pending = 0
        /// Reports matching no message, including held ones dropped after the retention.
        public var unknownReports = 0
        /// Reports for an earlier attempt of a message that has moved on.
        public var staleReports = 0
        /// Messages sent back to the queue after an undelivered report or a missed deadline.
        public var rerouted = 0
        /// Messages whose delivery deadline passed without a final report.
        public var missedDeadlines = 0
        /// Reports whose id matched no recorded attempt, adopted for the one ambiguous attempt
        /// they fit (`ReceiptMatcher`).
        public var adoptedReports = 0
        /// Messages sent while `maxAwaitedInMemory` deadlines were held, whose deadline sweeps of
        /// the store keep instead.
        public var overflowedDeadlines = 0

        public init() {}
    }

    private struct HeldReport {
        var report: DeliveryReport
        var expiresAt: Date
        /// Told the outcome once the report leaves the hold; see `handle(_:settled:)`.
        var settle: Settle?
    }

    /// Receives whether a report is stored: `true` once it is (or needs no storing), `false` when a
    /// store call failed.
    public typealias Settle = @Sendable (_ stored: Bool) -> Void

    struct AwaitedReport {
        var providerID: String
        var providerMessageID: String
        /// The deadline on `clock.uptime`, so a step of the wall clock does not move it.
        var due: Duration
    }

    let store: any MessageStore
    let policy: PoolPolicy
    let reportingProviders: Set<String>
    let clock: any DispatchClock
    let logger: Logger
    private let heldReportRetention: Duration
    private let maxHeldReports: Int
    let wakeDispatcher: @Sendable () -> Void
    /// The maximum number of delivery deadlines kept in memory (see the type's documentation).
    public let maxAwaitedInMemory: Int
    /// The maximum number of messages one sweep of the store reads. A full batch is followed by
    /// another at once.
    let sweepBatchSize: Int
    /// The pause before a sweep is tried again after a store error.
    static let sweepRetryDelay: Duration = .seconds(5)
    /// The shortest pause between two sweeps that read every due message, so that while messages
    /// fall due one after another each sweep takes a batch of them rather than one.
    static let minimumSweepInterval: Duration = .seconds(1)
    /// The priorities owed a sweep of the store, the sweep cursors and the next sweep's date.
    var sweep = DeadlineSweep()
    private var held: [HeldReport] = []
    /// Messages waiting for their final report. Change it only through `startAwaiting(_:for:)` and
    /// `stopAwaiting(_:)`, which keep `deadlines` in step.
    private(set) var awaited: [MessageID: AwaitedReport] = [:]
    /// The due dates of `awaited`, earliest first, with stale entries dropped lazily.
    private var deadlines = DeadlineHeap()
    /// Set after a re-route at an in-memory deadline failed on a store error: no deadline in
    /// memory is acted on before this time on `clock.uptime`, `sweepRetryDelay` later.
    private var inMemoryRetryAt: Duration?
    /// Incremented by each recorded acceptance, so a lookup that raced one is retried.
    private var acceptanceGeneration: UInt64 = 0
    /// The counts since start.
    public internal(set) var counters = Counters()
    /// The list that keeps a report whose store write failed, handled again by `handleKept(_:)`.
    /// Without one, such a report is dropped after its error is logged.
    private let pendingWrites: PendingWrites?
    /// Store calls that failed so far, and the latest error, so `handle` can tell whether a
    /// report was stored.
    private(set) var storeFailures = 0
    private var lastStoreError: (any Error)?

    /// - Parameters:
    ///   - reportingProviders: ids of providers whose `sendsDeliveryReports` is true.
    ///   - heldReportRetention: how long a report for a not yet recorded acceptance is kept. On
    ///     a shared queue, make it longer than the claim lease: a dead box's attempt becomes
    ///     ambiguous, and its receipt adoptable, only when its lease runs out.
    ///   - maxHeldReports: the most reports held at once; the oldest is dropped beyond it.
    ///   - maxAwaitedInMemory: the maximum number of delivery deadlines kept in memory (at least
    ///     1). Beyond it, sweeps of the store keep them.
    ///   - sweepBatchSize: the maximum number of messages one sweep of the store reads (at least 1).
    ///   - wakeDispatcher: called after a message is re-queued or a new deadline is set.
    public init(
        store: any MessageStore,
        policy: PoolPolicy,
        reportingProviders: Set<String>,
        clock: any DispatchClock = SystemDispatchClock(),
        logger: Logger,
        heldReportRetention: Duration = .seconds(60),
        maxHeldReports: Int = 1000,
        maxAwaitedInMemory: Int = 10_000,
        sweepBatchSize: Int = 500,
        wakeDispatcher: @escaping @Sendable () -> Void = {}
    ) {
        self.init(
            store: store,
            policy: policy,
            reportingProviders: reportingProviders,
            clock: clock,
            logger: logger,
            heldReportRetention: heldReportRetention,
            maxHeldReports: maxHeldReports,
            maxAwaitedInMemory: maxAwaitedInMemory,
            sweepBatchSize: sweepBatchSize,
            pendingWrites: nil,
            wakeDispatcher: wakeDispatcher
        )
    }

    /// The dispatcher's tracker: a report whose store write fails goes to `pendingWrites`.
    init(
        store: any MessageStore,
        policy: PoolPolicy,
        reportingProviders: Set<String>,
        clock: any DispatchClock,
        logger: Logger,
        heldReportRetention: Duration = .seconds(60),
        maxHeldReports: Int = 1000,
        maxAwaitedInMemory: Int = 10_000,
        sweepBatchSize: Int = 500,
        pendingWrites: PendingWrites?,
        wakeDispatcher: @escaping @Sendable () -> Void
    ) {
        self.pendingWrites = pendingWrites
        self.store = store
        self.policy = policy
        self.reportingProviders = reportingProviders
        self.clock = clock
        self.logger = logger
        self.heldReportRetention = heldReportRetention
        self.maxHeldReports = max(1, maxHeldReports)
        self.maxAwaitedInMemory = max(1, maxAwaitedInMemory)
        self.sweepBatchSize = max(1, sweepBatchSize)
        self.wakeDispatcher = wakeDispatcher
    }

    /// Applies one report. A store error is logged, so a provider's report loop keeps going, and
    /// the report is kept in the dispatcher's `PendingWrites` to be handled again (dropped when
    /// the tracker has none).
    public func handle(_ report: DeliveryReport) async {
        if let error = await handleCounted(report) {
            if let pendingWrites {
                pendingWrites.append(.report(report))
            } else {
                logger.debug("Delivery report dropped after a store error", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies one report and calls `settled` with whether it is stored, for a sender that repeats
    /// a report on request (an SMSC sends a `deliver_sm` again after an error status in its
    /// response).
    ///
    /// A report held until its message's acceptance is stored is settled only when it leaves the
    /// hold: applied, adopted, or dropped as unknown (`true`). So if this process dies meanwhile,
    /// the sender still has it. On a store error, `settled(false)` is called and nothing is kept,
    /// since the sender will send it again.
    public func handle(_ report: DeliveryReport, settled: @escaping Settle) async {
        let failuresBefore = storeFailures
        guard await process(report, settle: settled) == .finished else { return }
        settled(storeFailures == failuresBefore)
    }

    /// Handles a report kept after a store error. Returns the error when a store call failed again.
    func handleKept(_ report: DeliveryReport) async -> (any Error)? {
        await handleCounted(report)
    }

    /// Records a failed store call for `handleCounted`.
    func noteStoreFailure(_ error: any Error) {
        storeFailures += 1
        lastStoreError = error
    }

    /// Applies one report and returns the error of a store call that failed meanwhile, if any.
    private func handleCounted(_ report: DeliveryReport) async -> (any Error)? {
        let failuresBefore = storeFailures
        _ = await process(report, settle: nil)
        guard storeFailures != failuresBefore else { return nil }
        return lastStoreError
    }

    /// Whether `process` is done with a report or holds it.
    private enum Processing {
        case finished
        /// Held until its acceptance is stored; `settle` goes with it.
        case held
    }

    private func process(_ report: DeliveryReport, settle: Settle?) async -> Processing {
        let generation = acceptanceGeneration
        if report.status == .delivered, await deliver(report) != .needsGeneralPath { return .finished }
        switch await lookUp(report) {
        case .found(let message):
            await apply(report, to: message)
        case .notRecordedYet:
            if generation != acceptanceGeneration, case .found(let message) = await lookUp(report) {
                await apply(report, to: message)
                return .finished
            }
            // A response being recorded right now is the usual case, so an ambiguous attempt is
            // adopted at once only when no attempt to the handset is in flight.
            if report.recipient != nil, await adopt(report) == .adopted { return .finished }
            guard await awaitsAcceptance(report, since: generation) else { return .finished }
            hold(report, settle: settle)
            return .held
        case .failed:
            break
        }
        return .finished
    }

    /// Records that the dispatcher stored an acceptance: starts the delivery deadline for a
    /// provider that sends reports, and applies reports held for this provider message id.
    public func recordAccepted(
        messageID: MessageID,
        providerID: String,
        providerMessageID: String,
        priority: Priority,
        at date: Date
    ) async {
        acceptanceGeneration &+= 1
        if reportingProviders.contains(providerID) {
            let due = clock.uptime(at: date.adding(policy.settings(for: priority).deliveryDeadline))
            startAwaiting(
                AwaitedReport(providerID: providerID, providerMessageID: providerMessageID, due: due),
                for: messageID,
                priority: priority,
                updatedAt: date
            )
        }
        let matching = held.filter {
            $0.report.providerID == providerID && $0.report.providerMessageID == providerMessageID
        }
        held.removeAll { $0.report.providerID == providerID && $0.report.providerMessageID == providerMessageID }
        for entry in matching {
            if let settle = entry.settle {
                await handle(entry.report, settled: settle)
            } else {
                await handle(entry.report)
            }
        }
    }

    /// Returns the earliest delivery deadline, held-report retention end or sweep of the store,
    /// for the dispatcher's sleep.
    ///
    /// Cheap enough for every turn of the dispatcher's loop: the earliest deadline is kept at the
    /// top of a heap.
    /// A delivery deadline in memory is kept on the monotonic clock and returned as the wall date
    /// it falls on now, so after a step of the wall clock it moves with the step. The next sweep
    /// is a wall date, like the cutoffs it compares updates with.
    public func nextDeadline() -> Date? {
        let deadline = earliestAwaited().map { clock.date(atUptime: max($0.due, inMemoryRetryAt ?? $0.due)) }
        let retention = held.lazy.map(\.expiresAt).min()
        return [deadline, retention, sweep.nextSweep].compactMap { $0 }.min()
    }

    /// Delivery deadlines held in memory now: at most `maxAwaitedInMemory`, or one more while a
    /// re-route at a deadline waits to be tried again after a store error.
    public var deadlinesInMemory: Int {
        awaited.count
    }

    /// Whether sweeps of the store keep the deadline of some `sent` messages. That is so after more
    /// than `maxAwaitedInMemory` messages awaited a report at once, and after each start-up until
    /// the sweeps have read the messages left by the earlier run.
    public var sweepsStore: Bool {
        sweep.isOwed
    }

    /// Starts the delivery deadline of a message sent through a provider that sends reports.
    func startAwaitingIfReporting(_ message: MessageRecord, providerID: String, providerMessageID: String) {
        guard reportingProviders.contains(providerID) else { return }
        let due = clock.uptime + policy.settings(for: message.priority).deliveryDeadline
        startAwaiting(
            AwaitedReport(providerID: providerID, providerMessageID: providerMessageID, due: due),
            for: message.id,
            priority: message.priority,
            updatedAt: clock.now
        )
    }

    /// Starts waiting for a message's final report until `report.due`, in memory while fewer than
    /// `maxAwaitedInMemory` are held, else by owing a sweep of the store for its priority.
    ///
    /// `updatedAt` is the message's latest update as stored. The later of it and the time now is
    /// owed, so the debt covers the stored value even if the store took a later time.
    func startAwaiting(_ report: AwaitedReport, for messageID: MessageID, priority: Priority, updatedAt: Date) {
        guard awaited[messageID] != nil || awaited.count < maxAwaitedInMemory else {
            leaveToStore(messageID, priority: priority, updatedAt: max(updatedAt, clock.now))
            return
        }
        awaited[messageID] = report
        deadlines.push(due: report.due, messageID: messageID)
    }

    /// Stops waiting for a message's report. Its heap entry is dropped when it reaches the top.
    func stopAwaiting(_ messageID: MessageID) {
        guard awaited.removeValue(forKey: messageID) != nil else { return }
        // Stale entries would otherwise pile up for a whole delivery deadline.
        if deadlines.count > 2 * awaited.count + 64 {
            deadlines = DeadlineHeap(awaited.map { (due: $0.value.due, messageID: $0.key) })
        }
    }

    /// Returns the earliest deadline still awaited, after dropping heap entries that no longer match.
    private func earliestAwaited() -> (due: Duration, messageID: MessageID)? {
        while let top = deadlines.top {
            if awaited[top.messageID]?.due == top.due { return top }
            deadlines.pop()
        }
        return nil
    }

    /// Re-routes messages whose delivery deadline has passed while still `sent`, and gives held
    /// reports whose retention has ended a last lookup. Delivery deadlines are compared on the
    /// monotonic clock (`DispatchClock.uptime`), not with `now`.
    public func checkDeadlines(now: Date) async {
        let expiredHeld = held.filter { $0.expiresAt <= now }
        held.removeAll { $0.expiresAt <= now }
        for entry in expiredHeld {
            await retryOrDrop(entry.report, settle: entry.settle)
        }

        if let retryAt = inMemoryRetryAt, clock.uptime < retryAt {
            // The store failed a moment ago, so the deadlines due stay in memory until `retryAt`.
        } else {
            inMemoryRetryAt = nil
            await rerouteDueInMemory(now: now)
        }

        if let next = sweep.nextSweep, next <= now {
            await sweepStore(now: now)
        }
    }

    /// Re-routes the messages whose in-memory deadline has passed. When a re-route cannot be stored,
    /// that message keeps its deadline and every deadline in memory waits `sweepRetryDelay`, so a
    /// store that refuses writes gets one try every few seconds rather than one per message.
    private func rerouteDueInMemory(now: Date) async {
        while let top = earliestAwaited(), top.due <= clock.uptime, let awaitedReport = awaited[top.messageID] {
            let messageID = top.messageID
            stopAwaiting(messageID)
            let settled = await rerouteIfStillSent(
                messageID,
                awaitedReport.providerID,
                awaitedReport.providerMessageID,
                now: now
            )
            if !settled {
                // Put back as it was, even if an acceptance took the freed place meanwhile: the
                // memory then contains one deadline over its limit until this one is settled.
                awaited[messageID] = awaitedReport
                deadlines.push(due: awaitedReport.due, messageID: messageID)
                inMemoryRetryAt = clock.uptime + Self.sweepRetryDelay
                return
            }
        }
    }

    /// Gives every `sent` message left by an earlier run its delivery deadline, counted from the
    /// message's latest update: owes a sweep of the store for every priority through the time now,
    /// the first one due at once. Call it once at start-up, before the first `checkDeadlines`.
    ///
    /// Nothing is read here and nothing is kept in memory per message, however many are `sent`.
    public func restoreDeadlines() {
        let now = clock.now
        for priority in Priority.allCases {
            sweep.owe(priority, through: now, due: now)
        }
    }

    // MARK: - Lookup

    private enum Lookup {
        case found(MessageRecord)
        /// No message carries the id yet, or its acceptance is still being stored.
        case notRecordedYet
        case failed
    }

    private func lookUp(_ report: DeliveryReport) async -> Lookup {
        do {
            guard
                let message = try await store.findMessage(
                    providerID: report.providerID,
                    providerMessageID: report.providerMessageID
                )
            else { return .notRecordedYet }
            // The attempt row may hold the id while the message is still `sending`: applying the
            // report now would be overwritten by the dispatcher's `sent`.
            if message.state == .sending { return .notRecordedYet }
            return .found(message)
        } catch {
            noteStoreFailure(error)
            logger.error(
                "Could not look up the message of a delivery report",
                metadata: ["provider.id": report.providerID, "error": "\(error)"]
            )
            return .failed
        }
    }

    private enum DirectDelivery {
        case stored
        /// Nothing stored: no such message yet, still `sending`, or an earlier attempt's report.
        case needsGeneralPath
        /// The store failed. The error is logged and the report dropped.
        case failed
    }

    /// Stores the common case in one store call: a `delivered` report for the current acceptance
    /// of a message that is not `sending`.
    private func deliver(_ report: DeliveryReport) async -> DirectDelivery {
        let delivered = Transition(to: .delivered, providerID: report.providerID, reason: report.reason)
        let found: (message: MessageRecord, stored: Transition?)?
        do {
            found = try await store.findMessage(
                providerID: report.providerID,
                providerMessageID: report.providerMessageID,
                now: clock.now
            ) { message in
                // The same conditions as `lookUp` and `apply` for a current report.
                guard message.state != .sending, message.providerID == report.providerID,
                    message.providerMessageID == report.providerMessageID
                else { return nil }
                return delivered
            }
        } catch {
            noteStoreFailure(error)
            logger.error(
                "Could not store a delivery state",
                metadata: ["provider.id": report.providerID, "message.state": "delivered", "error": "\(error)"]
            )
            return .failed
        }
        guard let found, found.stored != nil else { return .needsGeneralPath }
        stopAwaiting(found.message.id)
        counters.delivered += 1
        logger.debug(
            "Delivery report",
            metadata: [
                "message.id": "\(found.message.id)",
                "provider.id": report.providerID,
                "report.status": report.status.rawValue,
            ]
        )
        return .stored
    }

    /// Returns whether `report` still has no stored acceptance, and applies it when one was
    /// recorded after `generation`. An acceptance recorded while this actor awaited the store
    /// found no held report to apply, so the report is looked up again until none was recorded
    /// during the lookup. The caller may then hold it with no suspension in between.
    private func awaitsAcceptance(_ report: DeliveryReport, since generation: UInt64) async -> Bool {
        var seen = generation
        while seen != acceptanceGeneration {
            seen = acceptanceGeneration
            if case .found(let message) = await lookUp(report) {
                await apply(report, to: message)
                return false
            }
        }
        return true
    }

    private func hold(_ report: DeliveryReport, settle: Settle?) {
        if held.count >= maxHeldReports {
            let dropped = held.removeFirst()
            countUnknown(dropped.report)
            dropped.settle?(true)
        }
        held.append(HeldReport(report: report, expiresAt: clock.now.adding(heldReportRetention), settle: settle))
        logger.debug(
            "Delivery report held until its message's acceptance is stored",
            metadata: ["provider.id": report.providerID, "provider.messageID": report.providerMessageID]
        )
        wakeDispatcher()
    }

    /// Gives a held report whose retention ended a last lookup, then settles it unless it is held again.
    private func retryOrDrop(_ report: DeliveryReport, settle: Settle?) async {
        let failuresBefore = storeFailures
        switch await lookUp(report) {
        case .found(let message): await apply(report, to: message)
        case .notRecordedYet:
            // Its acceptance may be kept in memory until the database takes writes again.
            if pendingWrites?.holdsAcceptance(providerID: report.providerID, providerMessageID: report.providerMessageID)
                == true
            {
                hold(report, settle: settle)
                return
            }
            let adopted = report.recipient != nil ? await adopt(report) : .unmatched
            if adopted != .adopted { countUnknown(report) }
        case .failed: break
        }
        settle?(storeFailures == failuresBefore)
    }

    private func countUnknown(_ report: DeliveryReport) {
        counters.unknownReports += 1
        logger.debug(
            "Delivery report for an unknown message",
            metadata: [
                "provider.id": report.providerID,
                "provider.messageID": report.providerMessageID,
                "report.status": report.status.rawValue,
            ]
        )
    }
}

/// A binary min-heap of delivery deadlines on the monotonic clock, each with its message id.
struct DeadlineHeap {
    private var entries: [(due: Duration, messageID: MessageID)] = []

    init() {}

    init(_ entries: [(due: Duration, messageID: MessageID)]) {
        for entry in entries { push(due: entry.due, messageID: entry.messageID) }
    }

    var count: Int { entries.count }

    /// The earliest entry, or `nil` when empty.
    var top: (due: Duration, messageID: MessageID)? { entries.first }

    mutating func push(due: Duration, messageID: MessageID) {
        entries.append((due, messageID))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].due < entries[parent].due else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the earliest entry.
    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].due < entries[smallest].due { smallest = left }
            if right < entries.count, entries[right].due < entries[smallest].due { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
