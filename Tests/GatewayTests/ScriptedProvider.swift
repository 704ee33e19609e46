import Foundation
import Gateway
import Store

/// A provider that returns scripted outcomes and records every message it is handed.
///
/// After the script runs out it accepts everything with ids `<provider id>-<call number>`.
/// With `holdsSends` each send waits until the test releases it, so sends can be kept in flight.
actor ScriptedProvider: Provider {
    nonisolated let id: String
    nonisolated let sendsDeliveryReports: Bool
    private var script: [SendOutcome]
    private var holdsSends: Bool
    private var heldSends: [CheckedContinuation<Void, Never>] = []
    private var hook: (@Sendable (OutboundSMS, SendOutcome) async -> Void)?
    /// Every message handed to this provider, in call order.
    private(set) var calls: [OutboundSMS] = []

    init(id: String, sendsDeliveryReports: Bool = false, script: [SendOutcome] = [], holdsSends: Bool = false) {
        self.id = id
        self.sendsDeliveryReports = sendsDeliveryReports
        self.script = script
        self.holdsSends = holdsSends
    }

    /// Runs `hook` inside each send, after the outcome is chosen and before it is returned.
    func setHook(_ hook: @escaping @Sendable (OutboundSMS, SendOutcome) async -> Void) {
        self.hook = hook
    }

    /// Appends outcomes to the script.
    func append(_ outcomes: [SendOutcome]) {
        script.append(contentsOf: outcomes)
    }

    /// Sends waiting for a release.
    var heldCount: Int { heldSends.count }

    var callCount: Int { calls.count }

    /// Lets the oldest held send continue.
    func releaseOne() {
        guard !heldSends.isEmpty else { return }
        heldSends.removeFirst().resume()
    }

    /// Lets every held send continue and stops holding new ones.
    func releaseAll() {
        holdsSends = false
        let sends = heldSends
        heldSends.removeAll()
        for send in sends { send.resume() }
    }

    func start(reports: @escaping DeliveryReportHandler) async {}

    func send(_ message: OutboundSMS) async -> SendOutcome {
        calls.append(message)
        let number = calls.count
        let outcome = script.isEmpty ? .accepted(providerMessageID: "\(id)-\(number)") : script.removeFirst()
        if holdsSends {
            await withCheckedContinuation { heldSends.append($0) }
        }
        if let hook { await hook(message, outcome) }
        return outcome
    }

    func probe() async -> ProbeResult { .healthy }

    func stop() async {}
}
