import Diagnostics

extension ModemSession {
    /// Runs the recovery ladder: `AT`, reopen, reset, down.
    func performRecovery() async -> ModemRecovery {
        if channel != nil, (try? await execute("AT").final) == .ok {
            if phase == .ready { return .responsive }
            // The modem answers again but may have restarted meanwhile, so it is initialised anew.
            if await reopenAndInitialise() { return recovered(by: .responsive) }
        }

        logger.debug("Reopening modem port")
        await closeChannel()
        try? await Task.sleep(for: timeouts.reopenPause)
        if await reopenAndInitialise() { return recovered(by: .reopened) }

        logger.debug("Resetting modem", metadata: ["modem.command": resetCommand])
        if let channel { _ = try? await channel.execute(resetCommand, timeout: timeouts.command) }
        await closeChannel()
        let deadline = ContinuousClock.now + timeouts.resetRecovery
        while ContinuousClock.now < deadline, phase != .shutDown {
            try? await Task.sleep(for: timeouts.resetPollInterval)
            if await reopenAndInitialise() { return recovered(by: .reset) }
            await closeChannel()
        }

        let reason = "no answer after reopening the port and \(resetCommand)"
        if phase != .shutDown {
            phase = .down(reason)
            logger.debug("Modem marked down", metadata: ["modem.reason": reason])
            eventSink.yield(.modemDown(reason: reason))
        }
        return .down
    }

    /// Opens the port (when closed) and initialises; `true` when the modem responded and is ready.
    private func reopenAndInitialise() async -> Bool {
        do {
            if channel == nil { try await openChannel() }
            try await openAndInitialise()
            return true
        } catch {
            logger.debug("Modem not back yet", metadata: ["modem.error": error.description])
            return false
        }
    }

    private func recovered(by step: ModemRecovery) -> ModemRecovery {
        logger.debug("Modem recovered", metadata: ["modem.recovery": step.rawValue])
        eventSink.yield(.modemRecovered(step: step))
        return step
    }
}
