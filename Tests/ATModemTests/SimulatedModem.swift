import ATModem
import Diagnostics
import Simulators
import Testing

/// PDU-01's SMS-SUBMIT, SMSC length octet `00` first; `AT+CMGS=27`.
let fieldCasePDU = "0001000B912120550541F30000104F37A89D07DDC37916A8066AA7DD"

/// The same PDU with TP-SRR set in its first octet, so that a status report comes back.
let pduRequestingReport = "0021000B912120550541F30000104F37A89D07DDC37916A8066AA7DD"

/// Timeouts short enough for tests; no assertion depends on them.
let testTimeouts = ModemTimeouts(
    command: .seconds(3),
    send: .seconds(20),
    simBusyRetryDelay: .milliseconds(50),
    simBusyRetries: 5,
    reopenPause: .milliseconds(200),
    resetRecovery: .seconds(15),
    resetPollInterval: .milliseconds(200)
)

/// Starts a simulator with `profile` and a session on its pty, runs `body`, then closes both.
func withSimulatedModem<Value>(
    _ profile: ModemSimulatorProfile = ModemSimulatorProfile(),
    pin: String? = nil,
    timeouts: ModemTimeouts = testTimeouts,
    resetCommand: String = "AT+CFUN=1,1",
    _ body: (ModemSimulator, ModemSession) async throws -> Value
) async throws -> Value {
    let simulator = ModemSimulator(profile: profile)
    let path = try simulator.start()
    let session = ModemSession(
        devicePath: path,
        pin: pin,
        logger: .disabled,
        timeouts: timeouts,
        resetCommand: resetCommand
    )
    do {
        let value = try await body(simulator, session)
        await session.close()
        simulator.stop()
        return value
    } catch {
        await session.close()
        simulator.stop()
        throw error
    }
}

/// The first event matching `predicate`, or `nil` when none arrives within `limit`.
func firstEvent(
    of session: ModemSession,
    within limit: Duration = .seconds(15),
    where predicate: @escaping @Sendable (ModemEvent) -> Bool
) async -> ModemEvent? {
    let events = session.events
    return await withDeadline(limit) {
        for await event in events where predicate(event) { return event }
        return nil
    } ?? nil
}

func bytes(_ hex: String) -> [UInt8] {
    ATHex.decode(hex) ?? []
}

/// Checks `condition` every 20 ms until it holds; records an issue and throws after `limit`.
func waitUntil(
    within limit: Duration = .seconds(15),
    _ condition: @Sendable () -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(limit)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Collects `session`'s events until one matches `last` (included), or `limit` passes.
func collectEvents(
    of session: ModemSession,
    within limit: Duration = .seconds(30),
    until last: @escaping @Sendable (ModemEvent) -> Bool
) -> Task<[ModemEvent], Never> {
    let events = session.events
    return Task {
        await withDeadline(limit) {
            var collected: [ModemEvent] = []
            for await event in events {
                collected.append(event)
                if last(event) { break }
            }
            return collected
        } ?? []
    }
}
