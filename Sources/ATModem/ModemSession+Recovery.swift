import Diagnostics

extension ModemSession {
    /// Runs the recovery ladder: `AT`, reopen, reset command, USB reset, down.
    ///
    /// Each step publishes `.recoveryStep` as it starts. The reset command and the USB reset are
    /// each followed by polling for the modem for up to `timeouts.resetRecovery`. A USB reset that
    /// cannot be done (disabled, no permission, not a USB device) is published as skipped with
    /// the reason, and the modem is marked down.
    func performRecovery() async -> ModemRecovery {
        step(.checkAnswer)
        if channel != nil, (try? await execute("AT").final) == .ok {
            if phase == .ready { return .responsive }
            // The modem answers again but may have restarted meanwhile, so it is initialised anew.
            if await reopenAndInitialise() { return recovered(by: .responsive) }
        }

        step(.reopen)
        await closeChannel()
        try? await Task.sleep(for: timeouts.reopenPause)
        if await reopenAndInitialise() { return recovered(by: .reopened) }

        step(.resetCommand(resetCommand))
        if let channel { _ = try? await channel.execute(resetCommand, timeout: timeouts.command) }
        await closeChannel()
        if await pollUntilBack() { return recovered(by: .reset) }

        var reason = "no answer after reopening the port and \(resetCommand)"
        switch await usbReset.reset(port: openedPath ?? devicePath) {
        case .performed(let device):
            step(.usbReset(device: device))
            if await pollUntilBack() { return recovered(by: .usbReset) }
            reason += " and a USB reset"
        case .skipped(let skipped):
            step(.usbResetSkipped(reason: skipped))
            reason += "; USB reset skipped: \(skipped)"
        }

        if phase != .shutDown {
            phase = .down(reason)
            logger.debug("Modem marked down", metadata: ["modem.reason": reason])
            eventSink.yield(.modemDown(reason: reason))
        }
        return .down
    }

    /// Publishes and logs the recovery step about to be taken.
    private func step(_ step: ModemRecoveryStep) {
        logger.debug("Modem recovery step", metadata: ["modem.recovery.step": step.description])
        eventSink.yield(.recoveryStep(step))
    }

    /// Tries to open and initialise the modem every `resetPollInterval` for `resetRecovery`;
    /// `true` once it is ready.
    private func pollUntilBack() async -> Bool {
        let deadline = ContinuousClock.now + timeouts.resetRecovery
        while ContinuousClock.now < deadline, phase != .shutDown {
            try? await Task.sleep(for: timeouts.resetPollInterval)
            if await reopenAndInitialise() { return true }
            await closeChannel()
        }
        return false
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
