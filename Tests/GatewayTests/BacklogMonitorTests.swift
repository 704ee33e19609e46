import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// Calls the mutating `observe` outside `#expect`, which captures its arguments immutably.
private func observe(_ monitor: inout BacklogMonitor, _ waiting: Int, at instant: ContinuousClock.Instant)
    -> BacklogMonitor.Action?
{
    monitor.observe(waiting: waiting, at: instant)
}

/// Calls the mutating `admit` outside `#expect`.
private func admit(_ policy: inout AdminAlertPolicy, _ subject: AdminAlertPolicy.Subject, now: Date) -> Bool {
    policy.admit(subject, now: now)
}

@Suite struct BacklogMonitorTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant {
        start.advanced(by: .seconds(seconds))
    }

    /// The alert is raised once the count has stayed above the threshold for the whole duration,
    /// only once, and cleared by the first sample at or below it.
    @Test func raisesOnceThenClears() {
        var monitor = BacklogMonitor(threshold: 100, duration: .seconds(600))
        #expect(observe(&monitor, 101, at: at(0)) == nil)
        #expect(observe(&monitor, 5000, at: at(599)) == nil)
        #expect(observe(&monitor, 4000, at: at(600)) == .raise(waiting: 4000, lasted: .seconds(600)))
        #expect(monitor.isRaised)
        #expect(observe(&monitor, 4500, at: at(900)) == nil)
        #expect(observe(&monitor, 100, at: at(1200)) == .clear(waiting: 100, lasted: .seconds(1200)))
        #expect(!monitor.isRaised)
        #expect(observe(&monitor, 50, at: at(1300)) == nil)
    }

    /// One sample at or below the threshold starts the wait again, so a queue that dips never alerts.
    @Test func dipRestartsTheWait() {
        var monitor = BacklogMonitor(threshold: 10, duration: .seconds(60))
        #expect(observe(&monitor, 11, at: at(0)) == nil)
        #expect(observe(&monitor, 10, at: at(50)) == nil)
        #expect(observe(&monitor, 11, at: at(70)) == nil)
        #expect(observe(&monitor, 12, at: at(129)) == nil)
        #expect(observe(&monitor, 12, at: at(130)) == .raise(waiting: 12, lasted: .seconds(60)))
    }

    /// Samples come a quarter of the duration apart, between 250 ms and 15 s.
    @Test(arguments: [
        (Duration.seconds(600), Duration.seconds(15)),
        (.seconds(20), .seconds(5)),
        (.milliseconds(500), .milliseconds(250)),
    ])
    func sampleInterval(duration: Duration, expected: Duration) {
        #expect(BacklogMonitor(threshold: 1, duration: duration).sampleInterval == expected)
    }

    /// Against a real store drained by a dispatcher: the queued messages raise the alert, and once the
    /// dispatcher has sent them the next sample clears it.
    @Test func raisesAndClearsAgainstADrainingQueue() async throws {
        try await withGatewayStore { store in
            let clock = ManualClock()
            _ = try await store.enqueue(
                (0..<5).map { Submission(recipient: "+44770090\(1000 + $0)", text: "drill \($0)", priority: .bulk) },
                now: clock.now
            )
            var monitor = BacklogMonitor(threshold: 3, duration: .seconds(60))
            #expect(try await monitor.check(store, at: at(0)) == nil)
            #expect(try await monitor.check(store, at: at(60)) == .raise(waiting: 5, lasted: .seconds(60)))

            let provider = ScriptedProvider(id: "carrier")
            let dispatcher = try Dispatcher(
                store: store,
                providers: [provider],
                policy: testPolicy(["carrier"]),
                clock: clock,
                logger: .disabled
            )
            let run = Task { try await dispatcher.run() }
            try await eventually("five messages sent") { await provider.callCount == 5 }
            try await eventually("queue drained") { try await store.queueDepth().values.reduce(0, +) == 0 }
            await dispatcher.stop()
            try await run.value

            #expect(try await monitor.check(store, at: at(90)) == .clear(waiting: 0, lasted: .seconds(90)))
        }
    }

    /// The backlog alert and its all-clear each have their own interval, apart from the providers'
    /// alerts, and all share the hourly cap.
    @Test func backlogSubjectsShareTheHourlyCap() {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        var policy = AdminAlertPolicy(perProviderInterval: 900, maxPerHour: 3)
        #expect(admit(&policy, .provider("twilio"), now: now))
        #expect(admit(&policy, .backlog, now: now.addingTimeInterval(10)))
        #expect(!admit(&policy, .backlog, now: now.addingTimeInterval(20)))
        #expect(admit(&policy, .backlogCleared, now: now.addingTimeInterval(30)))
        #expect(!admit(&policy, .provider("carrier"), now: now.addingTimeInterval(40)))
    }

    /// A wall clock stepped back drops earlier alerts from the count instead of holding new ones back.
    @Test func clockSteppedBackDoesNotSilenceAlerts() {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        var policy = AdminAlertPolicy(perProviderInterval: 900, maxPerHour: 1)
        #expect(admit(&policy, .backlog, now: now))
        #expect(admit(&policy, .backlog, now: now.addingTimeInterval(-86_400)))
    }

    /// The backlog texts give the count, the threshold and the time, within one segment.
    @Test func backlogTexts() {
        let raised = AdminAlertPolicy.backlogText(waiting: 1234, threshold: 1000, lasted: .seconds(660), host: "box1")
        #expect(raised == "Lifeline box1: queue backed up: 1234 messages waiting, over 1000 for 11 min")
        let short = AdminAlertPolicy.backlogText(waiting: 3, threshold: 2, lasted: .seconds(2), host: "box1")
        #expect(short == "Lifeline box1: queue backed up: 3 messages waiting, over 2 for 2 s")
        let cleared = AdminAlertPolicy.backlogClearedText(waiting: 12, threshold: 1000, host: String(repeating: "h", count: 200))
        #expect(cleared.count == 160)
    }
}
