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

    /// A message the store handler did not keep stays on the SIM and is not deleted; a provider
    /// started afterwards on the same modem lists it, stores it and only then deletes it.
    @Test func unstoredMessageKeptForRestart() async throws {
        let modem = ModemSimulator(profile: .healthy)
        let path = try modem.start()
        defer { modem.stop() }
        let storeCalls = LockedValue(0)
        let failing = ModemProvider(id: "modem-1", settings: ModemSettings(device: path), logger: .disabled) { _ in
            storeCalls.withLock { $0 += 1 }
            return false
        }
        await failing.start(reports: { _ in })
        await failing.waitUntilReady(timeout: .seconds(20))
        try #require(await failing.session.state == .ready)
        try modem.deliverInbound("Is the shelter open tonight?", from: "+447700900123")
        try await Self.waitUntil("the handler was called") { storeCalls.get() == 1 }
        await failing.stop()

        #expect(modem.storedIndexes == [0], "an unstored message was deleted from the SIM")
        #expect(!modem.receivedCommands.contains { $0.hasPrefix("AT+CMGD") })

        let storedMessages = LockedValue<[(text: String, onSIM: [Int])]>([])
        let restarted = ModemProvider(id: "modem-1", settings: ModemSettings(device: path), logger: .disabled) { message in
            storedMessages.withLock { $0.append((message.text, modem.storedIndexes)) }
            return true
        }
        await restarted.start(reports: { _ in })
        defer { Task { await restarted.stop() } }
        try await Self.waitUntil("the message was deleted") { !storedMessages.get().isEmpty && modem.storedIndexes.isEmpty }

        #expect(storeCalls.get() == 1)
        #expect(storedMessages.get().map(\.text) == ["Is the shelter open tonight?"])
        #expect(storedMessages.get().first?.onSIM == [0], "deleted before it was stored")
    }

    /// Every part of a stored multipart message is deleted, and only after the joined message
    /// was stored.
    @Test func multipartPartsDeletedAfterStoring() async throws {
        let modem = ModemSimulator(profile: .healthy)
        let path = try modem.start()
        defer { modem.stop() }
        let text = String(repeating: "Water is safe to drink again. ", count: 7).prefix(200).description
        let storedMessages = LockedValue<[(text: String, parts: Int, onSIM: [Int])]>([])
        let provider = ModemProvider(id: "modem-1", settings: ModemSettings(device: path), logger: .disabled) { message in
            storedMessages.withLock { $0.append((message.text, message.parts, modem.storedIndexes)) }
            return true
        }
        await provider.start(reports: { _ in })
        defer { Task { await provider.stop() } }
        await provider.waitUntilReady(timeout: .seconds(20))
        try #require(await provider.session.state == .ready)
        try modem.deliverInbound(text, from: "+447700900123", reference: 12, order: [1, 0])
        try await Self.waitUntil("the parts were deleted") { !storedMessages.get().isEmpty && modem.storedIndexes.isEmpty }

        #expect(storedMessages.get().map(\.text) == [text])
        #expect(storedMessages.get().map(\.parts) == [2])
        #expect(storedMessages.get().first?.onSIM == [0, 1], "a part was deleted before the message was stored")
        #expect(modem.receivedCommands.contains("AT+CMGD=0"))
        #expect(modem.receivedCommands.contains("AT+CMGD=1"))
    }

    /// Checks `condition` every 50 ms for at most 30 s; records an issue and throws after that.
    static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
