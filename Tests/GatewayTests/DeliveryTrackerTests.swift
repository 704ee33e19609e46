import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// Delivery reports and deadlines, through the dispatcher's tracker.
@Suite struct DeliveryTrackerTests {
    /// A delivered report makes the sent message `delivered` and ends its deadline.
    @Test func deliveredReport() async throws {
        let cloud = ScriptedProvider(
            id: "cloud",
            sendsDeliveryReports: true,
            script: [.accepted(providerMessageID: "C1")]
        )
        let harness = try await DispatchHarness.start(providers: [cloud], policy: testPolicy(["cloud"]))
        let tracker = harness.dispatcher.deliveryTracker
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)
        try await eventually("the delivery deadline is set") { await tracker.nextDeadline() != nil }

        await tracker.handle(
            DeliveryReport(providerID: "cloud", providerMessageID: "C1", status: .delivered, reason: "stat:DELIVRD")
        )
        #expect(try await harness.store.message(id)?.state == .delivered)
        #expect(await tracker.nextDeadline() == nil)
        #expect(await tracker.counters.delivered == 1)
        try await harness.finish()
    }

    /// An undelivered report writes an `undelivered` event and re-routes to the next provider only.
    @Test func undeliveredReroutes() async throws {
        let cloud = ScriptedProvider(
            id: "cloud",
            sendsDeliveryReports: true,
            script: [.accepted(providerMessageID: "C1")]
        )
        let smpp = ScriptedProvider(id: "smpp", script: [.accepted(providerMessageID: "S1")])
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: testPolicy(["cloud", "smpp"]))
        let tracker = harness.dispatcher.deliveryTracker
        let id = try await harness.submit(.high)[0]
        try await harness.waitForState(id, .sent)

        let report = DeliveryReport(
            providerID: "cloud",
            providerMessageID: "C1",
            status: .undelivered,
            reason: "stat:UNDELIV err:001"
        )
        await tracker.handle(report)
        try await eventually("the message is sent again through smpp") {
            try await harness.store.message(id)?.providerMessageID == "S1"
        }

        let message = try #require(try await harness.store.message(id))
        #expect(message.state == .sent)
        #expect(message.providerID == "smpp")
        let events = try await harness.store.events(for: id)
        #expect(
            events.contains {
                $0.state == .undelivered && $0.providerID == "cloud" && $0.reason == "stat:UNDELIV err:001"
            }
        )
        #expect(await cloud.callCount == 1)
        #expect(await smpp.calls.map(\.attempt) == [2])
        #expect(await tracker.counters.rerouted == 1)
        try await harness.finish()
    }

    /// An undelivered report from the last provider in the pool leaves the message `undelivered`.
    @Test func undeliveredFromLastProviderStays() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.unavailable(reason: "HTTP 503")])
        let smpp = ScriptedProvider(
            id: "smpp",
            sendsDeliveryReports: true,
            script: [.accepted(providerMessageID: "S1")]
        )
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: testPolicy(["cloud", "smpp"]))
        let tracker = harness.dispatcher.deliveryTracker
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)

        await tracker.handle(DeliveryReport(providerID: "smpp", providerMessageID: "S1", status: .undelivered))
        #expect(try await harness.store.message(id)?.state == .undelivered)
        #expect(await tracker.counters.rerouted == 0)
        try await harness.finish()
    }

    /// A pending report adds an event and leaves the message `sent`.
    @Test func pendingIsEventOnly() async throws {
        let cloud = ScriptedProvider(
            id: "cloud",
            sendsDeliveryReports: true,
            script: [.accepted(providerMessageID: "C1")]
        )
        let harness = try await DispatchHarness.start(providers: [cloud], policy: testPolicy(["cloud"]))
        let tracker = harness.dispatcher.deliveryTracker
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)
        let eventsBefore = try await harness.store.events(for: id).count

        await tracker.handle(
            DeliveryReport(providerID: "cloud", providerMessageID: "C1", status: .pending, reason: "ENROUTE")
        )
        let message = try #require(try await harness.store.message(id))
        #expect(message.state == .sent)
        #expect(message.providerMessageID == "C1")
        let events = try await harness.store.events(for: id)
        #expect(events.count == eventsBefore + 1)
        #expect(events.last?.reason == "ENROUTE")
        try await harness.finish()
    }

    /// A report for an id no message carries is held, then counted as unknown; nothing changes.
    @Test func unknownIDIgnored() async throws {
        let clock = ManualClock()
        let store = InMemoryMessageStore()
        let ids = try await store.enqueue([Submission(recipient: "+447700900123", text: "hello")], now: clock.now)
        let logs = InMemoryLogHandler()
        let tracker = DeliveryTracker(
            store: store,
            policy: testPolicy(["cloud"]),
            reportingProviders: ["cloud"],
            clock: clock,
            logger: Logger(label: "delivery", level: .debug, handler: logs),
            heldReportRetention: .seconds(60)
        )

        await tracker.handle(DeliveryReport(providerID: "cloud", providerMessageID: "nope", status: .delivered))
        #expect(await tracker.nextDeadline() == clock.now.addingTimeInterval(60))
        clock.advance(by: 60)
        await tracker.checkDeadlines(now: clock.now)

        #expect(await tracker.counters.unknownReports == 1)
        #expect(await tracker.nextDeadline() == nil)
        #expect(try await store.message(ids[0])?.state == .queued)
        #expect(logs.records.contains { $0.level == .debug && $0.metadata["provider.messageID"] == "nope" })
    }

    /// A report that arrives while the send is still returning is held and applied once the
    /// acceptance is stored.
    @Test func reportBeforeAcceptance() async throws {
        let cloud = ScriptedProvider(
            id: "cloud",
            sendsDeliveryReports: true,
            script: [.accepted(providerMessageID: "C1")]
        )
        let harness = try await DispatchHarness.start(providers: [cloud], policy: testPolicy(["cloud"]))
        let tracker = harness.dispatcher.deliveryTracker
        await cloud.setHook { _, outcome in
            guard case .accepted(let providerMessageID) = outcome else { return }
            await tracker.handle(
                DeliveryReport(providerID: "cloud", providerMessageID: providerMessageID, status: .delivered)
            )
        }
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .delivered)

        let states = try await harness.store.events(for: id).map(\.state)
        #expect(states.suffix(2) == [.sent, .delivered])
        #expect(await tracker.counters.unknownReports == 0)
        #expect(await tracker.nextDeadline() == nil)
        try await harness.finish()
    }

    /// A receipt whose acceptance is stored while the tracker looks for an ambiguous attempt to
    /// adopt it for is applied at once, not held until its retention ends.
    @Test func acceptanceDuringAdoptionLookup() async throws {
        let clock = ManualClock()
        let store = InMemoryMessageStore()
        let ids = try await store.enqueue([Submission(recipient: "+447700900123", text: "hello")], now: clock.now)
        _ = try await store.claimNext(now: clock.now, lease: 60)
        let attempt = try await store.beginAttempt(messageID: ids[0], providerID: "carrier", now: clock.now)
        let tracker = DeliveryTracker(
            store: store,
            policy: testPolicy(["carrier"]),
            reportingProviders: ["carrier"],
            clock: clock,
            logger: Logger(label: "delivery", level: .debug, handler: InMemoryLogHandler()),
            heldReportRetention: .seconds(60)
        )
        let now = clock.now
        await store.setUnresolvedLookupHook {
            try? await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: "A1", detail: nil, now: now)
            try? await store.transition(ids[0], Transition(to: .sent, providerID: "carrier", providerMessageID: "A1"), now: now)
            await tracker.recordAccepted(messageID: ids[0], providerID: "carrier", providerMessageID: "A1", priority: .normal, at: now)
        }

        await tracker.handle(
            DeliveryReport(providerID: "carrier", providerMessageID: "A1", status: .delivered, recipient: "447700900123")
        )

        #expect(try await store.message(ids[0])?.state == .delivered)
        #expect(await tracker.nextDeadline() == nil)
        #expect(await tracker.counters.unknownReports == 0)
    }

    /// No final report within the priority's deadline re-routes the message to the next provider.
    @Test func missedDeadlineReroutes() async throws {
        let cloud = ScriptedProvider(
            id: "cloud",
            sendsDeliveryReports: true,
            script: [.accepted(providerMessageID: "C1")]
        )
        let smpp = ScriptedProvider(id: "smpp", script: [.accepted(providerMessageID: "S1")])
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], deliveryDeadline: .seconds(60))
        )
        let start = harness.clock.now
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)
        try await eventually("the loop sleeps until the delivery deadline") {
            harness.clock.sleeperDeadlines.contains(start.addingTimeInterval(60))
        }
        #expect(await smpp.callCount == 0)

        harness.clock.advance(by: 60)
        try await eventually("the message is sent again through smpp") {
            try await harness.store.message(id)?.providerMessageID == "S1"
        }
        let tracker = harness.dispatcher.deliveryTracker
        #expect(await tracker.counters.missedDeadlines == 1)
        #expect(await tracker.nextDeadline() == nil)
        let events = try await harness.store.events(for: id)
        #expect(
            events.contains {
                $0.state == .queued && $0.reason?.hasPrefix("no final delivery report from cloud") == true
            }
        )
        try await harness.finish()
    }

    /// A provider that sends no reports gets no delivery deadline.
    @Test func noDeadlineWithoutReports() async throws {
        let modem = ScriptedProvider(id: "modem", sendsDeliveryReports: false)
        let harness = try await DispatchHarness.start(providers: [modem], policy: testPolicy(["modem"]))
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)
        try await harness.finish()
        #expect(await harness.dispatcher.deliveryTracker.nextDeadline() == nil)
    }
}
