import Foundation
import Gateway
import Testing

/// Calls the mutating `observe` outside `#expect`, which captures its arguments immutably.
private func observe(
    _ monitor: inout ReceiverOutageMonitor,
    _ providerID: String,
    bound: Bool,
    at instant: ContinuousClock.Instant
) -> ReceiverOutageMonitor.Action? {
    monitor.observe(providerID: providerID, isBound: bound, at: instant)
}

/// Calls the mutating `admit` outside `#expect`.
private func admit(_ policy: inout AdminAlertPolicy, _ subject: AdminAlertPolicy.Subject, now: Date) -> Bool {
    policy.admit(subject, now: now)
}

@Suite struct ReceiverOutageMonitorTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant {
        start.advanced(by: .seconds(seconds))
    }

    /// An outage is reported once it has lasted the whole duration, only once, and its end is
    /// reported by the first bound sample with the length of the whole outage.
    @Test func downOnceThenUp() {
        var monitor = ReceiverOutageMonitor(duration: .seconds(120))
        #expect(observe(&monitor, "carrier", bound: true, at: at(0)) == nil)
        #expect(observe(&monitor, "carrier", bound: false, at: at(10)) == nil)
        #expect(observe(&monitor, "carrier", bound: false, at: at(129)) == nil)
        #expect(observe(&monitor, "carrier", bound: false, at: at(130)) == .down(providerID: "carrier", lasted: .seconds(120)))
        #expect(observe(&monitor, "carrier", bound: false, at: at(400)) == nil)
        #expect(observe(&monitor, "carrier", bound: true, at: at(410)) == .up(providerID: "carrier", lasted: .seconds(400)))
        #expect(observe(&monitor, "carrier", bound: true, at: at(420)) == nil)
    }

    /// A receiver that binds again within the duration, as after an SMSC restart, raises nothing,
    /// and the next outage is timed from its own start.
    @Test func shortOutageIsQuiet() {
        var monitor = ReceiverOutageMonitor(duration: .seconds(60))
        #expect(observe(&monitor, "carrier", bound: false, at: at(0)) == nil)
        #expect(observe(&monitor, "carrier", bound: true, at: at(59)) == nil)
        #expect(observe(&monitor, "carrier", bound: false, at: at(100)) == nil)
        #expect(observe(&monitor, "carrier", bound: false, at: at(159)) == nil)
        #expect(observe(&monitor, "carrier", bound: false, at: at(160)) == .down(providerID: "carrier", lasted: .seconds(60)))
    }

    /// Two links are timed apart: one link's outage neither starts nor ends the other's.
    @Test func linksAreIndependent() {
        var monitor = ReceiverOutageMonitor(duration: .seconds(30))
        #expect(observe(&monitor, "carrier-a", bound: false, at: at(0)) == nil)
        #expect(observe(&monitor, "carrier-b", bound: false, at: at(20)) == nil)
        #expect(observe(&monitor, "carrier-a", bound: false, at: at(30)) == .down(providerID: "carrier-a", lasted: .seconds(30)))
        #expect(observe(&monitor, "carrier-b", bound: false, at: at(30)) == nil)
        #expect(observe(&monitor, "carrier-b", bound: true, at: at(40)) == nil)
        #expect(observe(&monitor, "carrier-a", bound: false, at: at(50)) == nil)
        #expect(observe(&monitor, "carrier-a", bound: true, at: at(60)) == .up(providerID: "carrier-a", lasted: .seconds(60)))
    }

    /// Samples come a quarter of the duration apart, between 250 ms and 15 s.
    @Test(arguments: [
        (Duration.seconds(1), Duration.milliseconds(250)),
        (.seconds(20), .seconds(5)),
        (.seconds(120), .seconds(15)),
    ] as [(Duration, Duration)])
    func sampleInterval(duration: Duration, expected: Duration) {
        #expect(ReceiverOutageMonitor(duration: duration).sampleInterval == expected)
    }

    /// The receiver alert texts name the link and what is missing, and fit one GSM 7-bit segment
    /// even with a long host name.
    @Test func alertTexts() {
        let down = AdminAlertPolicy.receiverText(providerID: "carrier", isUp: false, lasted: .seconds(125), host: "venue-box")
        #expect(down == "Lifeline venue-box: SMPP carrier receiver DOWN for 2 min: no delivery receipts or inbound SMS; sending goes on")
        let up = AdminAlertPolicy.receiverText(providerID: "carrier", isUp: true, lasted: .seconds(45), host: "venue-box")
        #expect(up == "Lifeline venue-box: SMPP carrier receiver is back after 45 s; delivery receipts arrive again")
        let long = AdminAlertPolicy.receiverText(
            providerID: "carrier", isUp: false, lasted: .seconds(60), host: String(repeating: "h", count: 120)
        )
        #expect(long.count == 160)
        #expect(long.hasSuffix("..."))
    }

    /// The receiver's down and up alerts are separate subjects, so the all-clear is not held back
    /// by the down alert's interval.
    @Test func downAndUpAreSeparateSubjects() {
        var policy = AdminAlertPolicy(perProviderInterval: 900, maxPerHour: 6)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(admit(&policy, .receiverDown("carrier"), now: now))
        #expect(admit(&policy, .receiverUp("carrier"), now: now.addingTimeInterval(60)))
        #expect(!admit(&policy, .receiverDown("carrier"), now: now.addingTimeInterval(120)))
    }
}
