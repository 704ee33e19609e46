import Diagnostics

/// An SMPP 3.4 ESME client for one carrier link: connects, binds, keeps the link alive, re-binds
/// after a drop, and submits messages within a window.
///
/// `start()` returns at once; the link comes up in the background and reports on `events`.
/// While the link is down, `submit(_:)` throws `SMPPClientError.notBound` immediately, so the
/// gateway fails over in milliseconds instead of waiting for a timeout. When the window is full,
/// `submit(_:)` waits for a slot (the wait ends with `notBound` if the link drops meanwhile).
///
/// Reconnects follow `ReconnectBackoff`: exponential with jitter, and a slow fixed pace after
/// the SMSC refused the credentials. `stop()` unbinds politely (waiting at most the response
/// timeout for `unbind_resp`), closes the socket, ends submits still in the window as
/// `ambiguous`, and finishes `events`. The owner must consume `events`: it buffers without bound
/// so that no receipt is lost.
///
/// With `settings.tls` the connection is TLS (OpenSSL); a failed handshake ends the attempt with
/// `LinkDownReason.tlsFailed` and the usual backoff. One client is one session: `SMPPLink` pairs a
/// transmitter with a receiver and serves outbinds. An `outbind` on this client's own connection
/// is reported as `.outbindIgnored` and otherwise ignored.
public actor ESMEClient {
    /// Link state changes, receipts and inbound SMS, in the order they happened.
    public nonisolated let events: AsyncStream<SMPPLinkEvent>
    /// The settings the client was made with.
    public nonisolated let settings: SMPPLinkSettings

    private let eventContinuation: AsyncStream<SMPPLinkEvent>.Continuation
    private let backoff: ReconnectBackoff
    private var logger: Logger

    private var session: SMPPSession?
    private var connection: (any SMPPTransport)?
    /// A connection the SMSC opened for an outbind; the client serves only it and never redials.
    private var acceptedConnection: (any SMPPTransport)?
    private let waitsForOutbind: Bool
    private var runTask: Task<Void, Never>?
    private var timerTask: Task<Void, Never>?
    private var timerDeadline: ContinuousClock.Instant?
    private var pendingSubmits: [UInt32: CheckedContinuation<SubmitOutcome, Never>] = [:]
    private var windowWaiters: [CheckedContinuation<Bool, Never>] = []
    private var probeWaiters: [CheckedContinuation<Bool, Never>] = []
    private var lastDownReason: LinkDownReason?
    private var consecutiveFailures = 0
    private var stopping = false
    /// Counts the connections served, so a deferred `deliver_sm_resp` is written only on the
    /// connection its `deliver_sm` came on.
    private var connectionNumber: UInt64 = 0

    /// Validates the settings; nothing connects until `start()`.
    ///
    /// - Throws: `SMPPLinkSettingsError`, for example a password over 8 characters without the opt-in.
    public init(settings: SMPPLinkSettings, backoff: ReconnectBackoff = ReconnectBackoff(), logger: Logger)
        throws(SMPPLinkSettingsError)
    {
        try settings.validate()
        self.settings = settings
        self.backoff = backoff
        self.waitsForOutbind = false
        var logger = logger
        logger[metadataKey: "smpp.peer"] = "\(settings.host):\(settings.port)"
        logger[metadataKey: "smpp.system_id"] = settings.systemID
        self.logger = logger
        (events, eventContinuation) = AsyncStream.makeStream(of: SMPPLinkEvent.self, bufferingPolicy: .unbounded)
    }

    /// Makes a client that serves one connection the SMSC opened: it waits for the `outbind`, binds
    /// as a receiver, and ends for good when that connection ends (the SMSC outbinds again).
    init(outbindConnection: any SMPPTransport, settings: SMPPLinkSettings, logger: Logger) {
        var settings = settings
        settings.bindMode = .receiver
        self.settings = settings
        self.backoff = ReconnectBackoff()
        self.waitsForOutbind = true
        self.acceptedConnection = outbindConnection
        var logger = logger
        logger[metadataKey: "smpp.peer"] = outbindConnection.peerDescription
        logger[metadataKey: "smpp.system_id"] = settings.systemID
        self.logger = logger
        (events, eventContinuation) = AsyncStream.makeStream(of: SMPPLinkEvent.self, bufferingPolicy: .unbounded)
    }

    /// Whether submits are accepted right now.
    public var isBound: Bool { session?.isBound ?? false }

    /// The reason the link last went down; `nil` while bound and before the first attempt ends.
    public var linkDownReason: LinkDownReason? { lastDownReason }

    /// How many submits wait for their `submit_sm_resp`.
    public var outstandingSubmitCount: Int { session?.outstandingSubmitCount ?? 0 }

    /// Starts connecting and binding in the background; a second call does nothing.
    public func start() {
        guard runTask == nil, !stopping else { return }
        runTask = Task { await self.run() }
    }

    /// Unbinds, closes the connection, and finishes `events`. Safe to call more than once.
    public func stop() async {
        stopping = true
        // An outbind connection that was never served is closed here, since no session owns it yet.
        acceptedConnection?.close(flush: false)
        acceptedConnection = nil
        if session?.isBound == true {
            perform(session?.unbindRequested(now: .now) ?? [])
        } else if let session, !session.isClosed {
            perform(self.session?.unbindRequested(now: .now) ?? [])
        } else {
            // Sleeping between attempts, or connecting: wake it.
            runTask?.cancel()
        }
        await runTask?.value
        timerTask?.cancel()
        eventContinuation.finish()
    }

    /// Sends one `submit_sm` and waits for its outcome.
    ///
    /// Returns `.accepted` on `ESME_ROK`, `.rejected(status)` on an error response or
    /// `generic_nack`, `.ambiguous` when no response comes within the response timeout or the
    /// link drops while the submit is in the window. Cancelling the calling task does not
    /// withdraw a submit that left; it still ends by response or timeout.
    /// - Throws: `SMPPClientError.notBound` at once while the link is down, or `.invalidSubmit`.
    public func submit(_ submitSM: SubmitSM) async throws(SMPPClientError) -> SubmitOutcome {
        do {
            try submitSM.validate()
        } catch {
            throw .invalidSubmit(error)
        }
        while true {
            guard !stopping, var current = session else {
                throw .notBound(reason: stopping ? .stopped : lastDownReason)
            }
            switch current.submit(submitSM, now: .now) {
            case .notBound:
                throw .notBound(reason: lastDownReason)
            case .windowFull:
                // Wait for a slot; the session may change meanwhile, so look again after.
                let slotFreed = await withCheckedContinuation { windowWaiters.append($0) }
                guard slotFreed else { throw .notBound(reason: lastDownReason) }
            case .send(let pdu):
                session = current
                logger.debug(
                    "Submit sent",
                    metadata: [
                        "smpp.seq": "\(pdu.sequenceNumber)",
                        "smpp.destination": redactedPhoneNumber(submitSM.destinationAddress),
                    ]
                )
                let outcome = await withCheckedContinuation { continuation in
                    pendingSubmits[pdu.sequenceNumber] = continuation
                    connection?.send(pdu.encoded())
                    rescheduleTimer()
                }
                return mapKey(outcome)
            }
        }
    }

    /// Sends an `enquire_link` now and waits for its response, for health probes.
    ///
    /// Returns `false` at once when the link is not bound, and `false` when the response does not
    /// come within the response timeout (the link is then declared dead and re-bound).
    /// Concurrent probes share one `enquire_link`.
    public func probe() async -> Bool {
        guard !stopping, session?.isBound == true else { return false }
        return await withCheckedContinuation { continuation in
            probeWaiters.append(continuation)
            perform(session?.enquireLinkRequested(now: .now) ?? [])
        }
    }

    // MARK: Connection loop

    private func run() async {
        if let acceptedConnection {
            // An outbind session ends with its connection: the SMSC outbinds again when it needs to.
            self.acceptedConnection = nil
            _ = await serve(acceptedConnection)
            stopping = true
            lastDownReason = .stopped
            wakeWindowWaiters(slotFreed: false)
            eventContinuation.finish()
            return
        }
        while !stopping {
            let reason = await connectAndServe()
            guard !stopping else { break }
            consecutiveFailures += 1
            let delay = backoff.delay(afterFailures: consecutiveFailures, reason: reason)
            emit(.reconnectScheduled(delay: delay, attempt: consecutiveFailures))
            logger.debug(
                "Reconnect scheduled",
                metadata: ["smpp.delay": "\(delay)", "smpp.attempt": "\(consecutiveFailures)"]
            )
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
        }
        lastDownReason = .stopped
        wakeWindowWaiters(slotFreed: false)
    }

    /// Connects, binds and serves one connection until it ends, then returns the reason it ended.
    private func connectAndServe() async -> LinkDownReason {
        logger.debug("Connecting", metadata: ["smpp.tls": "\(settings.tls != nil)"])
        let newConnection: any SMPPTransport
        switch await openConnection() {
        case .success(let opened):
            newConnection = opened
        case .failure(let reason):
            linkWentDown(reason)
            return reason
        }
        guard !stopping else {
            newConnection.close(flush: false)
            return .stopped
        }
        return await serve(newConnection)
    }

    /// Dials the SMSC over TCP, or TLS when the settings ask for it.
    private func openConnection() async -> Result<any SMPPTransport, LinkDownReason> {
        guard let tls = settings.tls else {
            do {
                let opened = try await TCPConnection.connect(
                    host: settings.host,
                    port: settings.port,
                    timeout: settings.connectTimeout
                )
                return .success(opened)
            } catch {
                return .failure(.connectFailed(error.description))
            }
        }
        do {
            let opened = try await TLSConnection.connect(
                host: settings.host,
                port: settings.port,
                timeout: settings.connectTimeout,
                settings: tls
            )
            return .success(opened)
        } catch {
            if case .connect(let socketError) = error {
                return .failure(.connectFailed(socketError.description))
            }
            return .failure(.tlsFailed(error.description))
        }
    }

    /// Binds over `newConnection` and serves it until it ends, then returns the reason it ended.
    private func serve(_ newConnection: any SMPPTransport) async -> LinkDownReason {
        connection = newConnection
        connectionNumber &+= 1
        var configuration = SMPPSession.Configuration(settings: settings)
        configuration.waitsForOutbind = waitsForOutbind
        session = SMPPSession(configuration: configuration)
        perform(session?.connectionOpened(now: .now) ?? [])
        logger.trace("Bind sent", metadata: ["smpp.bind": settings.bindMode.rawValue])

        for await event in newConnection.incoming {
            switch event {
            case .bytes(let bytes):
                logger.trace("Received octets", metadata: ["smpp.octets": "\(bytes.count)"])
                perform(session?.received(bytes, now: .now) ?? [])
            case .closed(let error):
                let reason: LinkDownReason = error.map { .socketError($0.description) } ?? .closedByPeer
                perform(session?.connectionLost(reason) ?? [])
            }
        }
        let reason = lastDownReason ?? .closedByPeer
        connection = nil
        session = nil
        timerTask?.cancel()
        timerTask = nil
        timerDeadline = nil
        wakeWindowWaiters(slotFreed: false)
        return reason
    }

    // MARK: Actions

    private func perform(_ actions: [SMPPSession.Action]) {
        for action in actions {
            switch action {
            case .send(let pdu):
                logger.trace(
                    "PDU sent",
                    metadata: ["smpp.command": "\(pdu.commandID)", "smpp.seq": "\(pdu.sequenceNumber)"]
                )
                connection?.send(pdu.encoded())
            case .bound(let systemID):
                consecutiveFailures = 0
                lastDownReason = nil
                logger.debug("Bound", metadata: ["smpp.bind": settings.bindMode.rawValue, "smpp.smsc": systemID])
                emit(.bound(smscSystemID: systemID, mode: settings.bindMode))
            case .completeSubmit(let sequenceNumber, let outcome):
                pendingSubmits.removeValue(forKey: sequenceNumber)?.resume(returning: outcome)
                wakeWindowWaiters(slotFreed: true, count: 1)
            case .deliver(let deliverSM):
                deliver(deliverSM, responder: .answered)
            case .deliverAwaitingResponse(let deliverSM, let sequenceNumber):
                let number = connectionNumber
                let responder = DeliverSMResponder { [weak self] status in
                    Task { await self?.respondToDeliverSM(sequenceNumber, status: status, connection: number) }
                }
                deliver(deliverSM, responder: responder)
            case .close(let reason):
                linkWentDown(reason)
                connection?.close(flush: true)
                resumeProbes(alive: false)
            case .linkAlive:
                resumeProbes(alive: true)
            case .outbindIgnored(let smscSystemID):
                logger.debug("Outbind ignored", metadata: ["smpp.smsc": smscSystemID])
                emit(.outbindIgnored(smscSystemID: smscSystemID))
            case .outbindRejected(let smscSystemID, let reason):
                let peer = connection?.peerDescription ?? "unknown"
                logger.debug("Outbind rejected", metadata: ["smpp.outbind_system_id": smscSystemID, "smpp.reason": reason])
                emit(.outbindRejected(peer: peer, smscSystemID: smscSystemID, reason: reason))
            }
        }
        rescheduleTimer()
    }

    private func linkWentDown(_ reason: LinkDownReason) {
        lastDownReason = reason
        if reason.isCredentialsError {
            logger.debug("Bind rejected: invalid credentials", metadata: ["smpp.reason": reason.description])
        } else {
            logger.debug("Link down", metadata: ["smpp.reason": reason.description])
        }
        emit(.linkDown(reason))
    }

    private func deliver(_ deliverSM: DeliverSM, responder: DeliverSMResponder) {
        guard deliverSM.isDeliveryReceipt else {
            logger.debug("Inbound SMS", metadata: ["smpp.source": redactedPhoneNumber(deliverSM.sourceAddress)])
            emit(.inboundMessage(deliverSM, responder: responder))
            return
        }
        do {
            let receipt = try DeliveryReceipt(deliverSM: deliverSM)
            let key = settings.messageIDMatching.key(forReceiptID: receipt.messageID)
            logger.debug("Receipt", metadata: ["smpp.message_id": receipt.messageID, "smpp.stat": receipt.stat ?? "-"])
            emit(.deliveryReceipt(receipt, messageIDKey: key, responder: responder))
        } catch {
            // Sending it again would not make it readable.
            responder.respond(.ok)
            logger.debug("Unreadable receipt", metadata: ["smpp.error": error.description])
            emit(.unreadableReceipt(deliverSM, error))
        }
    }

    /// Writes a deferred `deliver_sm_resp`, unless the connection it belongs to has ended.
    private func respondToDeliverSM(_ sequenceNumber: UInt32, status: CommandStatus, connection number: UInt64) {
        guard number == connectionNumber, connection != nil else { return }
        if status != .ok {
            logger.debug("deliver_sm_resp sent with an error status", metadata: ["smpp.seq": "\(sequenceNumber)", "smpp.status": "\(status)"])
        }
        perform(session?.respondToDeliverSM(sequenceNumber: sequenceNumber, status: status) ?? [])
    }

    private func mapKey(_ outcome: SubmitOutcome) -> SubmitOutcome {
        guard case .accepted(let messageID, _) = outcome else { return outcome }
        return .accepted(
            messageID: messageID,
            messageIDKey: settings.messageIDMatching.key(forSubmitResponseID: messageID)
        )
    }

    private func resumeProbes(alive: Bool) {
        let waiters = probeWaiters
        probeWaiters.removeAll()
        for waiter in waiters {
            waiter.resume(returning: alive)
        }
    }

    private func wakeWindowWaiters(slotFreed: Bool, count: Int = .max) {
        let woken = windowWaiters.prefix(count)
        windowWaiters.removeFirst(woken.count)
        for waiter in woken {
            waiter.resume(returning: slotFreed)
        }
    }

    private func emit(_ event: SMPPLinkEvent) {
        eventContinuation.yield(event)
    }

    // MARK: Timer

    /// Keeps one sleeping task aimed at or before the session's next deadline.
    ///
    /// A timer already set for an earlier instant is kept when the deadline moves later (each
    /// response moves it): it fires early, finds nothing due and aims again. A cancelled sleep
    /// keeps its memory until its instant passes, so replacing the timer for every submit would
    /// pile up one sleeping timer per message for a whole response timeout.
    private func rescheduleTimer() {
        guard let deadline = session?.nextDeadline else { return }
        if timerTask != nil, let current = timerDeadline, current <= deadline { return }
        timerTask?.cancel()
        timerDeadline = deadline
        timerTask = Task { [weak self] in
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
            await self?.timerFired(deadline)
        }
    }

    private func timerFired(_ deadline: ContinuousClock.Instant) {
        guard deadline == timerDeadline else { return }
        timerDeadline = nil
        timerTask = nil
        perform(session?.timerFired(now: .now) ?? [])
    }
}
