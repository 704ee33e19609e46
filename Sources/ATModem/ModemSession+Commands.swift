import Diagnostics

extension ModemSession {
    /// Opens the port and starts a channel on it, replacing any earlier one.
    ///
    /// A fixed path is opened as given. An identity binding searches the candidate ports first
    /// (the previous path first) and publishes `.portFound` when the modem is on another path
    /// than before.
    func openChannel() async throws(ModemError) {
        await closeChannel()
        let path: String
        let claim: String?
        switch binding {
        case .device(let device):
            path = device
            claim = SerialPortClaims.claim(device, exclusive: false)
        case .identity(let identity, let search):
            let locator = ModemLocator(
                identity: identity,
                search: search,
                baudRate: baudRate,
                timeout: timeouts.command,
                logger: logger
            )
            let found = try await locator.locate(preferring: openedPath)
            (path, claim) = (found.path, found.claim)
        }
        let port: SerialPort
        do {
            port = try SerialPort(path: path, baudRate: baudRate)
        } catch {
            if let claim { SerialPortClaims.release(claim) }
            throw .port(error)
        }
        if case .identity = binding, path != openedPath {
            eventSink.yield(.portFound(path: path))
        }
        openedPath = path
        portClaim = claim
        channelGeneration += 1
        let generation = channelGeneration
        let sink = signalSink
        channel = ATChannel(
            transport: port,
            logger: logger,
            onUnsolicited: { sink.yield(.unsolicited($0, generation: generation)) },
            onFailure: { sink.yield(.portFailed($0, generation: generation)) }
        )
        logger.debug("Modem port opened", metadata: ["modem.path": path])
    }

    /// Closes the channel and its port, if any, and releases the claim on the port.
    func closeChannel() async {
        if let old = channel {
            channel = nil
            await old.close()
        }
        if let claim = portClaim {
            portClaim = nil
            SerialPortClaims.release(claim)
        }
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
            await readStoredMessage(storage: storage, index: index)
        case .newMessage(let header, let pdu):
            await acknowledgeIfRequired()
            let fields = ATFields.split(ATLineClassifier.value(of: header, prefix: "+CMT:") ?? "")
            let length = fields.last.flatMap { Int($0) }
            eventSink.yield(.inboundMessage(ModemInboundPDU(pduHex: pdu.uppercased(), tpduLength: length)))
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

    /// Reads a message announced by `+CMTI` and publishes it, leaving it stored until
    /// `deleteStored(index:memory:)`. An index already published and not yet deleted is skipped.
    private func readStoredMessage(storage: String, index: Int) async {
        let key = Self.storedKey(memory: storage, index: index)
        guard let channel, !publishedIndexes.contains(key) else { return }
        let timeout = timeouts.command
        _ = try? await channel.execute("AT+CPMS=\"\(storage)\"", timeout: timeout)
        guard let response = try? await channel.execute("AT+CMGR=\(index)", timeout: timeout),
            let stored = StoredMessage(response: response)
        else {
            logger.debug(
                "Stored message unreadable",
                metadata: ["modem.storage": storage, "modem.index": "\(index)"]
            )
            return
        }
        // The start-up listing may have published this index while AT+CMGR ran.
        guard publishedIndexes.insert(key).inserted else { return }
        let message = ModemInboundPDU(
            pduHex: stored.pduHex,
            tpduLength: stored.tpduLength,
            storage: storage,
            index: index
        )
        eventSink.yield(.inboundMessage(message))
    }

    /// Reads every message in the storage new messages go to (`AT+CMGL=4`) and publishes it:
    /// messages that arrived while no host listened, whose `+CMTI` was lost while the port was
    /// closed, or that an earlier run read but never stored. Received messages stay stored until
    /// `deleteStored(index:memory:)`, and indexes already published are skipped. Status reports
    /// found there are deleted and published as status reports. A failed command is logged and
    /// leaves the messages stored.
    func collectStoredMessages() async {
        // The third memory of AT+CPMS? is where the modem stores what it receives (TS 27.005 3.2.2).
        let fields = (try? await run("AT+CPMS?"))?.value(prefix: "+CPMS:").map(ATFields.split) ?? []
        let storage = fields.count >= 7 && !fields[6].isEmpty ? fields[6] : "SM"
        guard (try? await run("AT+CPMS=\"\(storage)\"")) != nil,
            let listing = try? await run("AT+CMGL=4")
        else {
            logger.debug("Stored messages not listed", metadata: ["modem.storage": storage])
            return
        }
        for (index, stored) in StoredMessage.list(in: listing) {
            if stored.isStatusReport {
                if (try? await execute("AT+CMGD=\(index)"))?.final != .ok {
                    logger.debug("Stored status report not deleted", metadata: ["modem.storage": storage, "modem.index": "\(index)"])
                }
                let source = ModemStatusReport.Source.storage(storage, index: index)
                eventSink.yield(.statusReport(ModemStatusReport(pduHex: stored.pduHex, tpduLength: stored.tpduLength, source: source)))
            } else if publishedIndexes.insert(Self.storedKey(memory: storage, index: index)).inserted {
                let message = ModemInboundPDU(pduHex: stored.pduHex, tpduLength: stored.tpduLength, storage: storage, index: index)
                eventSink.yield(.inboundMessage(message))
            }
        }
    }

    /// Selects `memory` and deletes `index` there; removes the index from the published ones once it is deleted.
    func performDeleteStored(index: Int, memory: String) async throws(ModemError) {
        guard phase != .shutDown else { throw .closed }
        guard channel != nil else { throw .port(.closed(path: devicePath)) }
        try await run("AT+CPMS=\"\(memory)\"")
        try await run("AT+CMGD=\(index)")
        publishedIndexes.remove(Self.storedKey(memory: memory, index: index))
        logger.trace("Stored message deleted", metadata: ["modem.storage": memory, "modem.index": "\(index)"])
    }

    /// The key of one stored message in `publishedIndexes`.
    static func storedKey(memory: String, index: Int) -> String {
        "\(memory.uppercased())#\(index)"
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
