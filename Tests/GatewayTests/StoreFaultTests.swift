import Diagnostics
import Foundation
import Store
import Testing

@testable import Gateway

/// Tests of a database that refuses writes (a full disk) while a send is in flight and its
/// receipt arrives: the dispatcher keeps both in memory and stores them, in order, once writes work again.
@Suite struct StoreFaultTests {
    private func submission(_ index: Int) -> Submission {
        Submission(recipient: "+44770090\(1000 + index)", text: "drill \(index)", priority: .normal)
    }

    /// An accepted send whose outcome cannot be stored, and its delivered receipt, are both kept
    /// while writes fail: the message stays `sending` with its attempt open, is sent once, and
    /// ends `delivered` with its attempt accepted once writes work again.
    @Test func outcomeAndReceiptKeptDuringFault() async throws {
        try await withGatewayStore { base in
            let store = FailingWritesStore(base)
            let clock = ManualClock()
            let carrier = ScriptedProvider(id: "carrier", sendsDeliveryReports: true, holdsSends: true)
            let backup = ScriptedProvider(id: "backup")
            let logs = InMemoryLogHandler()
            let dispatcher = try Dispatcher(
                store: store,
                providers: [carrier, backup],
                policy: testPolicy(["carrier", "backup"]),
                clock: clock,
                logger: Logger(label: "dispatcher", level: .debug, handler: logs)
            )
            let run = Task { try await dispatcher.run() }
            let id = try await base.enqueue([submission(1)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("send in flight") { await carrier.heldCount == 1 }

            store.failing = true
            await carrier.releaseAll()
            try await eventually("outcome refused") { store.refusedWrites >= 1 }
            await dispatcher.deliveryTracker.handle(
                DeliveryReport(providerID: "carrier", providerMessageID: "carrier-1", status: .delivered)
            )
            #expect(dispatcher.pendingWrites.count == 2)
            #expect(try await base.message(id)?.state == .sending)
            #expect(try await base.attempts(for: id).map(\.outcome) == [nil])

            store.failing = false
            dispatcher.wake()
            try await eventually("delivered after the fault") { try await base.message(id)?.state == .delivered }
            #expect(try await base.attempts(for: id).map(\.outcome) == [.accepted])
            #expect(await carrier.callCount == 1)
            #expect(await backup.callCount == 0)
            #expect(dispatcher.pendingWrites.count == 0)
            #expect(logs.records.contains { $0.message.hasPrefix("Stored the writes kept") })
            await dispatcher.stop()
            try await run.value
        }
    }

    /// Beyond its capacity the list keeps nothing more and logs the loss at error with the
    /// message id.
    @Test func pendingWritesBoundLogsLoss() {
        let logs = InMemoryLogHandler()
        let pending = PendingWrites(capacity: 2, logger: Logger(label: "store", level: .debug, handler: logs)) {}
        let requeue = Transition(to: .queued, reason: "test")
        #expect(pending.append(.transition(messageID: 1, requeue, at: Date())))
        #expect(pending.append(.transition(messageID: 2, requeue, at: Date())))
        #expect(!pending.append(.transition(messageID: 3, requeue, at: Date())))
        #expect(pending.count == 2)
        let lost = logs.records.filter { $0.level == .error }
        #expect(lost.count == 1)
        #expect(lost.first?.metadata["message.id"].map { "\($0)" } == "3")
    }
}
