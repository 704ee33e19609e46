import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// `DeliveryTracker.handle(_:settled:)` tells the sender of a report whether it is stored, and
/// for a held report only once it leaves the hold.
@Suite struct ReportSettlingTests {
    /// Collects what `settled` is called with.
    final class Outcomes: @unchecked Sendable {
        // @unchecked: every access holds `lock`.
        private let lock = NSLock()
        private var stored: [Bool] = []

        var values: [Bool] { lock.withLock { stored } }

        func record(_ value: Bool) { lock.withLock { stored.append(value) } }
    }

    private static func report(_ id: String) -> DeliveryReport {
        DeliveryReport(providerID: "carrier", providerMessageID: id, status: .delivered, reason: "stat:DELIVRD")
    }

    /// A receipt that comes before its acceptance is stored is held and settled only when the
    /// acceptance is recorded and the receipt applied.
    @Test func heldReportSettlesAfterAcceptance() async throws {
        let clock = ManualClock()
        let store = InMemoryMessageStore()
        let id = try await store.enqueue([Submission(recipient: "+447700900100", text: "test", priority: .bulk)], now: clock.now)[0]
        _ = try await store.claimNext(now: clock.now, lease: 300)
        let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: clock.now)
        let tracker = DeliveryTracker(
            store: store,
            policy: testPolicy(["carrier"]),
            reportingProviders: ["carrier"],
            clock: clock,
            logger: .disabled
        )
        let outcomes = Outcomes()

        await tracker.handle(Self.report("m-1"), settled: { outcomes.record($0) })
        #expect(outcomes.values.isEmpty)

        try await store.finishAttempt(
            attempt,
            outcome: .accepted,
            providerMessageID: "m-1",
            detail: nil,
            then: (id, Transition(to: .sent, providerID: "carrier", providerMessageID: "m-1")),
            now: clock.now
        )
        await tracker.recordAccepted(messageID: id, providerID: "carrier", providerMessageID: "m-1", priority: .bulk, at: clock.now)
        #expect(outcomes.values == [true])
        #expect(try await store.message(id)?.state == .delivered)
    }

    /// A report whose store write fails is settled `false` at once and kept nowhere.
    @Test func failedWriteSettlesFalse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try await SQLiteStore(path: directory.appendingPathComponent("queue.sqlite").path, notifiesWakeListener: false)
        let store = FailingWritesStore(base)
        let clock = ManualClock()
        let id = try await store.enqueue([Submission(recipient: "+447700900100", text: "test", priority: .bulk)], now: clock.now)[0]
        _ = try await store.claimNext(now: clock.now, lease: 300)
        let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: clock.now)
        try await store.finishAttempt(
            attempt,
            outcome: .accepted,
            providerMessageID: "m-2",
            detail: nil,
            then: (id, Transition(to: .sent, providerID: "carrier", providerMessageID: "m-2")),
            now: clock.now
        )
        let tracker = DeliveryTracker(
            store: store,
            policy: testPolicy(["carrier"]),
            reportingProviders: ["carrier"],
            clock: clock,
            logger: .disabled
        )
        let outcomes = Outcomes()

        store.failing = true
        await tracker.handle(Self.report("m-2"), settled: { outcomes.record($0) })
        #expect(outcomes.values == [false])
        store.failing = false
        #expect(try await store.message(id)?.state == .sent)

        await tracker.handle(Self.report("m-2"), settled: { outcomes.record($0) })
        #expect(outcomes.values == [false, true])
        #expect(try await store.message(id)?.state == .delivered)
        await base.close()
    }
}
