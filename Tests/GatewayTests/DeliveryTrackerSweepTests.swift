import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// A delivery tracker over a real SQLite file and a manual clock, with messages made `sent`
/// through the reporting provider `carrier` as the dispatcher stores them.
private struct SweepBench {
    static let deadline: TimeInterval = 600
    static let rerouteReason = "no final delivery report from carrier"

    let directory: URL
    let path: String
    let clock: ManualClock
    let policy = testPolicy(["carrier", "backup"], deliveryDeadline: .seconds(SweepBench.deadline))

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("queue.sqlite").path
        clock = ManualClock()
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    func openStore() async throws -> SQLiteStore {
        try await SQLiteStore(path: path, notifiesWakeListener: false)
    }

    func tracker(on store: any MessageStore, max: Int, batch: Int = 500) -> DeliveryTracker {
        DeliveryTracker(
            store: store,
            policy: policy,
            reportingProviders: ["carrier"],
            clock: clock,
            logger: Logger(label: "delivery", level: .debug, handler: InMemoryLogHandler()),
            maxAwaitedInMemory: max,
            sweepBatchSize: batch
        )
    }

    /// Queues one message, sends it through `carrier` as `C<id>` and records the acceptance with `tracker`.
    func send(on store: any MessageStore, to tracker: DeliveryTracker, _ priority: Priority = .normal) async throws
        -> MessageID
    {
        let now = clock.now
        let id = try await store.enqueue([Submission(recipient: "+447700900123", text: "hi", priority: priority)], now: now)[0]
        let claimed = try #require(try await store.claimNext(now: now, lease: 60))
        try #require(claimed.id == id)
        let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: now)
        try await store.finishAttempt(
            attempt,
            outcome: .accepted,
            providerMessageID: "C\(id)",
            detail: nil,
            then: (id, Transition(to: .sent, providerID: "carrier", providerMessageID: "C\(id)")),
            now: now
        )
        await tracker.recordAccepted(messageID: id, providerID: "carrier", providerMessageID: "C\(id)", priority: priority, at: now)
        return id
    }

    /// Runs `checkDeadlines` as the dispatcher's loop does until nothing is due, checking the
    /// memory bound after each call. Fails the test if it does not settle within 1000 calls.
    func settle(_ tracker: DeliveryTracker, maxInMemory: Int) async {
        for _ in 0..<1000 {
            guard let due = await tracker.nextDeadline(), due <= clock.now else { return }
            await tracker.checkDeadlines(now: clock.now)
            #expect(await tracker.deadlinesInMemory <= maxInMemory)
        }
        Issue.record("the tracker kept finding deadlines due")
    }

    /// Counts, from its events, how many times each message was re-routed for a missed deadline.
    func reroutes(_ ids: [MessageID], in store: any MessageStore) async throws -> [Int] {
        var counts: [Int] = []
        for id in ids {
            let events = try await store.events(for: id)
            counts.append(events.filter { $0.state == .queued && $0.reason?.hasPrefix(Self.rerouteReason) == true }.count)
        }
        return counts
    }
}

/// Delivery deadlines beyond the in-memory limit, kept by sweeps of the store.
@Suite struct DeliveryTrackerSweepTests {
    /// With room for 3 deadlines, 10 sent messages keep at most 3 in memory, and each is re-routed
    /// once its own deadline has passed, exactly once.
    @Test func memoryBoundedAndEveryMessageRerouted() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let store = try await bench.openStore()
        let tracker = bench.tracker(on: store, max: 3, batch: 4)
        let start = bench.clock.now
        var ids: [MessageID] = []
        for _ in 0..<10 {
            ids.append(try await bench.send(on: store, to: tracker))
            #expect(await tracker.deadlinesInMemory <= 3)
            bench.clock.advance(by: 10)
        }
        #expect(await tracker.sweepsStore)
        #expect(await tracker.counters.overflowedDeadlines == 7)

        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline - 1))
        await bench.settle(tracker, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: store) == Array(repeating: 0, count: 10))

        // The first message's deadline, in memory, comes first; the fourth message, the oldest kept
        // by the store, is due 30 s later and swept then.
        #expect(await tracker.nextDeadline() == start.addingTimeInterval(SweepBench.deadline))
        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline + 30))
        await bench.settle(tracker, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: store) == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0])

        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline + 100))
        await bench.settle(tracker, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: store) == Array(repeating: 1, count: 10))
        for id in ids {
            #expect(try await store.message(id)?.state == .queued)
        }
        #expect(await tracker.counters.missedDeadlines == 10)
        #expect(await tracker.counters.rerouted == 10)
        #expect(await tracker.sweepsStore == false)
        #expect(await tracker.nextDeadline() == nil)
        await store.close()
    }

    /// A new tracker on the same file after a restart re-routes every `sent` message left by the
    /// earlier run after its deadline, more of them than it keeps in memory, and none twice.
    @Test func restartSweepsEverySentMessage() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let start = bench.clock.now
        let first = try await bench.openStore()
        let before = bench.tracker(on: first, max: 3)
        var ids: [MessageID] = []
        for _ in 0..<8 {
            ids.append(try await bench.send(on: first, to: before))
            bench.clock.advance(by: 10)
        }
        // The earlier run re-routes the first two before it stops.
        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline + 15))
        await bench.settle(before, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: first) == [1, 1, 0, 0, 0, 0, 0, 0])
        await first.close()

        let store = try await bench.openStore()
        let after = bench.tracker(on: store, max: 3, batch: 2)
        await after.restoreDeadlines()
        #expect(await after.sweepsStore)
        await bench.settle(after, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: store) == [1, 1, 0, 0, 0, 0, 0, 0])
        #expect(await after.nextDeadline() == start.addingTimeInterval(SweepBench.deadline + 20))

        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline + 45))
        await bench.settle(after, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: store) == [1, 1, 1, 1, 1, 0, 0, 0])

        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline + 200))
        await bench.settle(after, maxInMemory: 3)
        #expect(try await bench.reroutes(ids, in: store) == Array(repeating: 1, count: 8))
        #expect(await after.counters.missedDeadlines == 6)
        #expect(await after.sweepsStore == false)
        #expect(await after.nextDeadline() == nil)
        await store.close()
    }

    /// A start-up with no `sent` message ends its sweep at once and leaves nothing to wake for.
    @Test func restartWithNothingSent() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let store = try await bench.openStore()
        let tracker = bench.tracker(on: store, max: 3)
        await tracker.restoreDeadlines()
        #expect(await tracker.nextDeadline() == bench.clock.now)
        await bench.settle(tracker, maxInMemory: 3)
        #expect(await tracker.sweepsStore == false)
        #expect(await tracker.nextDeadline() == nil)
        await store.close()
    }

    /// A receipt for a message kept by the store, not in memory, still makes it `delivered`, and
    /// the sweep leaves it alone after its deadline.
    @Test func receiptForMessageNotInMemory() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let store = try await bench.openStore()
        let tracker = bench.tracker(on: store, max: 1)
        let ids = [
            try await bench.send(on: store, to: tracker),
            try await bench.send(on: store, to: tracker),
            try await bench.send(on: store, to: tracker),
        ]
        #expect(await tracker.deadlinesInMemory == 1)

        await tracker.handle(DeliveryReport(providerID: "carrier", providerMessageID: "C\(ids[2])", status: .delivered))
        #expect(try await store.message(ids[2])?.state == .delivered)

        bench.clock.advance(by: SweepBench.deadline + 1)
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await bench.reroutes(ids, in: store) == [1, 1, 0])
        #expect(try await store.message(ids[2])?.state == .delivered)
        #expect(await tracker.counters.delivered == 1)
        #expect(await tracker.counters.missedDeadlines == 2)
        await store.close()
    }

    /// A pending report restamps a message kept by the store: the sweeps go on until its deadline
    /// counted from the report, and then re-route it.
    @Test func pendingReportKeepsSweepsGoing() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let store = try await bench.openStore()
        let tracker = bench.tracker(on: store, max: 1)
        let start = bench.clock.now
        let ids = [try await bench.send(on: store, to: tracker), try await bench.send(on: store, to: tracker)]

        bench.clock.advance(by: 300)
        await tracker.handle(DeliveryReport(providerID: "carrier", providerMessageID: "C\(ids[1])", status: .pending))
        bench.clock.advance(to: start.addingTimeInterval(SweepBench.deadline + 1))
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await bench.reroutes(ids, in: store) == [1, 0])
        #expect(await tracker.sweepsStore)

        bench.clock.advance(to: start.addingTimeInterval(300 + SweepBench.deadline + 1))
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await bench.reroutes(ids, in: store) == [1, 1])
        #expect(await tracker.sweepsStore == false)
        await store.close()
    }

    /// A step of the wall clock re-routes a message kept by the store early, and leaves the
    /// deadline in memory on elapsed time.
    @Test func wallClockStepMovesOnlyStoreDeadlines() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let store = try await bench.openStore()
        let tracker = bench.tracker(on: store, max: 1)
        let ids = [try await bench.send(on: store, to: tracker), try await bench.send(on: store, to: tracker)]

        bench.clock.step(by: SweepBench.deadline + 1)
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await bench.reroutes(ids, in: store) == [0, 1])

        bench.clock.advance(by: SweepBench.deadline)
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await bench.reroutes(ids, in: store) == [1, 1])
        await store.close()
    }

    /// A deadline in memory whose re-route cannot be stored stays in memory, is tried again only
    /// after a pause, and the message is re-routed once when the store takes writes again.
    @Test func inMemoryDeadlineRetriedAfterStoreError() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let base = try await bench.openStore()
        let store = FailingWritesStore(base)
        let tracker = bench.tracker(on: store, max: 10)
        let id = try await bench.send(on: store, to: tracker)

        store.failing = true
        bench.clock.advance(by: SweepBench.deadline + 1)
        await bench.settle(tracker, maxInMemory: 10)
        #expect(try await base.message(id)?.state == .sent)
        #expect(await tracker.deadlinesInMemory == 1)
        #expect(await !tracker.sweepsStore)
        let retry = try #require(await tracker.nextDeadline())
        #expect(retry > bench.clock.now)

        store.failing = false
        bench.clock.advance(to: retry)
        await bench.settle(tracker, maxInMemory: 10)
        #expect(try await base.message(id)?.state == .queued)
        #expect(try await bench.reroutes([id], in: base) == [1])
        #expect(await tracker.deadlinesInMemory == 0)
        await base.close()
    }

    /// A sweep whose re-route cannot be stored tries the same message again later, and re-routes
    /// it once the store takes writes again.
    @Test func sweepRetriesAfterStoreError() async throws {
        let bench = try SweepBench()
        defer { bench.remove() }
        let base = try await bench.openStore()
        let store = FailingWritesStore(base)
        let tracker = bench.tracker(on: store, max: 1)
        let ids = [try await bench.send(on: store, to: tracker), try await bench.send(on: store, to: tracker)]

        store.failing = true
        bench.clock.advance(by: SweepBench.deadline + 1)
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await base.message(ids[1])?.state == .sent)
        #expect(await tracker.sweepsStore)
        let retry = try #require(await tracker.nextDeadline())
        #expect(retry > bench.clock.now)

        store.failing = false
        bench.clock.advance(to: retry)
        await bench.settle(tracker, maxInMemory: 1)
        #expect(try await base.message(ids[1])?.state == .queued)
        #expect(try await bench.reroutes([ids[1]], in: base) == [1])
        await base.close()
    }
}
