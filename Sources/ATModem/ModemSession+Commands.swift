import Diagnostics

extension ModemSession {
    /// Opens the port and starts a channel on it, replacing any earlier one.
    func openChannel() async throws(ModemError) {
        if let old = channel {
            channel = nil
            await old.close()
        }
        let port: SerialPort
        do {
            port = try SerialPort(path: devicePath, baudRate: baudRate)
        } catch {
            throw .port(error)
        }
        channelGeneration += 1
        let generation = channelGeneration
        let sink = signalSink
        channel = ATChannel(
            transport: port,
            logger: logger,
            onUnsolicited: { sink.yield(.unsolicited($0, generation: generation)) },
            onFailure: { sink.yield(.portFailed($0, generation: generation)) }
        )
        logger.debug("Modem port opened")
    }

    /// Closes the channel and its port, if any.
    func closeChannel() async {
        guard let old = channel else { return }
        channel = nil
        await old.close()
    }

    /// Runs `command` and returns its response whatever the final result, and a timeout marks the
    /// session for recovery.
    func execute(_ command: String, timeout: Duration? = nil) async throws(ModemError) -> ATResponse {
        guard let channel else { throw .port(.closed(path: devicePath)) }
        do {
            return try await channel.execute(command, timeout: timeout ?? timeouts.command)
        } catch {
            throw lost(error, command: command)
        }
    }

    /// Runs `command`, retrying while the SIM is busy, and throws unless it ends with `OK`.
    @discardableResult
    func run(_ command: String) async throws(ModemError) -> ATResponse {
        var attempt = 0
        while true {
            let response = try await execute(command)
            if response.final == .ok { return response }
            guard response.final == .cmeError(.simBusy), attempt < timeouts.simBusyRetries else {
                throw .commandFailed(command: ATChannel.loggable(command), result: response.final)
            }
            attempt += 1
            logger.debug("SIM busy, retrying", metadata: ["modem.command": ATChannel.loggable(command)])
            try? await Task.sleep(for: timeouts.simBusyRetryDelay)
        }
    }

    /// Maps a channel failure to a session error and marks the modem for recovery where needed.
    func lost(_ error: ATChannelError, command: String) -> ModemError {
        switch error {
        case .timedOut:
            markLost(reason: "no answer to \(ATChannel.loggable(command))")
            return .noAnswer(command: ATChannel.loggable(command))
        case .portFailed(let failure):
            markLost(reason: failure.description)
            return .port(failure)
        case .closed:
            return phase == .shutDown ? .closed : .port(.closed(path: devicePath))
        case .invalidCommand(let text):
            return .unexpectedAnswer(command: text, lines: [])
        }
    }

    /// Publishes `.modemLost` once and schedules recovery before the next operation.
    func markLost(reason: String) {
        guard phase == .ready else { return }
        phase = .needsRecovery
        logger.debug("Modem lost", metadata: ["modem.reason": reason])
        eventSink.yield(.modemLost(reason: reason))
    }

    /// Handles what the channel thread reported.
    func handle(_ signal: ChannelSignal) async {
        switch signal {
        case .portFailed(let error, let generation):
            guard generation == channelGeneration else { return }
            markLost(reason: error.description)
            // The channel thread has ended, so the next operation opens the port anew.
            await closeChannel()
        case .unsolicited(let code, let generation):
            guard generation == channelGeneration else { return }
            await handleUnsolicited(code)
        }
    }

    private func handleUnsolicited(_ code: UnsolicitedResultCode) async {
        switch code {
        case .statusReport(let pduHex, let tpduLength):
            await acknowledgeIfRequired()
            eventSink.yield(
                .statusReport(ModemStatusReport(pduHex: pduHex, tpduLength: tpduLength, source: .unsolicited))
            )
        case .statusReportStored(let storage, let index):
            await readStoredStatusReport(storage: storage, index: index)
        case .newMessageStored(let storage, let index):
            eventSink.yield(.inboundMessageStored(storage: storage, index: index))
        case .newMessage(let header, let pdu):
            await acknowledgeIfRequired()
            let fields = ATFields.split(ATLineClassifier.value(of: header, prefix: "+CMT:") ?? "")
            let length = fields.last.flatMap { Int($0) }
            eventSink.yield(.inboundMessage(pduHex: pdu, tpduLength: length))
        case .statusReportText, .ring, .registration, .other:
            logger.trace("Unsolicited code ignored", metadata: ["modem.urc": code.text])
        }
    }

    /// Sends `AT+CNMA` when `AT+CSMS?` reported service 1 (TS 27.005 3.4.1), otherwise nothing.
    private func acknowledgeIfRequired() async {
        guard messageService == 1, let channel else { return }
        let response = try? await channel.execute("AT+CNMA", timeout: timeouts.command)
        if response?.final != .ok {
            logger.debug(
                "Acknowledgement failed",
                metadata: ["modem.result": "\(response?.final.description ?? "no answer")"]
            )
        }
    }

    /// Reads a status report announced by `+CDSI`, publishes it and deletes it from storage.
    private func readStoredStatusReport(storage: String, index: Int) async {
        guard let channel else { return }
        let timeout = timeouts.command
        _ = try? await channel.execute("AT+CPMS=\"\(storage)\"", timeout: timeout)
        guard let response = try? await channel.execute("AT+CMGR=\(index)", timeout: timeout),
            let stored = StoredMessage(response: response)
        else {
            logger.debug(
                "Stored status report unreadable",
                metadata: ["modem.storage": storage, "modem.index": "\(index)"]
            )
            return
        }
        _ = try? await channel.execute("AT+CMGD=\(index)", timeout: timeout)
        let report = ModemStatusReport(
            pduHex: stored.pduHex,
            tpduLength: stored.tpduLength,
            source: .storage(storage, index: index)
        )
        eventSink.yield(.statusReport(report))
    }
}
