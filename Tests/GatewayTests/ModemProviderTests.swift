import Config
import Foundation
import Simulators
import Testing

@testable import Gateway

@Suite struct ModemProviderTests {
    /// A send to a modem that stopped responding fails over at once and starts the modem's
    /// recovery, so the modem is back without waiting for a health probe.
    @Test func sendToLostModemStartsRecovery() async throws {
        let modem = ModemSimulator(profile: .healthy)
        let path = try modem.start()
        defer { modem.stop() }
        let provider = ModemProvider(id: "modem-1", settings: ModemSettings(device: path), logger: .disabled)
        await provider.start(reports: { _ in })
        defer { Task { await provider.stop() } }
        await provider.waitUntilReady(timeout: .seconds(20))
        try #require(await provider.session.state == .ready)

        // The probe's AT goes unanswered, which marks the modem lost; probes run no recovery
        // for a modem that was ready when they started.
        modem.hang()
        _ = await provider.probe()
        try #require(await provider.session.state == .needsRecovery)

        let outcome = await provider.send(
            OutboundSMS(messageID: 1, attempt: 1, recipient: "+447700900123", text: "Recovery check", priority: .bulk)
        )
        guard case .unavailable = outcome else {
            Issue.record("a send to a lost modem gave \(outcome)")
            return
        }
        // Reopening the port ends the simulated hang, as dropping DTR revives a stuck stick.
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline, await provider.session.state != .ready {
            try await Task.sleep(for: .milliseconds(100))
        }
        let state = await provider.session.state
        #expect(state == .ready, "the modem stayed \(state)")
    }
}
