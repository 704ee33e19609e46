import Foundation
import Testing

@testable import Gateway

/// Calls the mutating `admit` outside `#expect`, which captures its arguments immutably.
private func admit(_ policy: inout AdminAlertPolicy, providerID: String, now: Date) -> Bool {
    policy.admit(providerID: providerID, now: now)
}

@Suite struct AdminAlertPolicyTests {
    let start = Date(timeIntervalSince1970: 1_780_000_000)

    /// A flapping provider alerts once per interval; another provider is not held back by it.
    @Test func perProviderInterval() {
        var policy = AdminAlertPolicy(perProviderInterval: 900, maxPerHour: 6)
        #expect(admit(&policy, providerID: "twilio", now: start))
        #expect(!admit(&policy, providerID: "twilio", now: start.addingTimeInterval(60)))
        #expect(admit(&policy, providerID: "carrier", now: start.addingTimeInterval(60)))
        #expect(admit(&policy, providerID: "twilio", now: start.addingTimeInterval(900)))
    }

    /// No more than the hourly cap go out across providers, and the cap frees up an hour later.
    @Test func hourlyCap() {
        var policy = AdminAlertPolicy(perProviderInterval: 0, maxPerHour: 2)
        #expect(admit(&policy, providerID: "a", now: start))
        #expect(admit(&policy, providerID: "b", now: start.addingTimeInterval(1)))
        #expect(!admit(&policy, providerID: "c", now: start.addingTimeInterval(2)))
        #expect(admit(&policy, providerID: "c", now: start.addingTimeInterval(3600)))
    }

    /// The text names the provider and the reason and fits one segment.
    @Test func alertText() {
        let down = AdminAlertPolicy.text(providerID: "twilio", isUp: false, reason: String(repeating: "x", count: 300), host: "box1")
        #expect(down.hasPrefix("Lifeline box1: provider twilio is DOWN: x"))
        #expect(down.count == 160)
        #expect(AdminAlertPolicy.text(providerID: "modem-1", isUp: true, reason: "ignored", host: "box1") == "Lifeline box1: provider modem-1 is back up")
    }
}
