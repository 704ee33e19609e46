/// The ESME side of one SMPP 3.4 connection as a state machine, with no I/O and no clock.
///
/// The owner passes events to it with the current time: connection opened, bytes received, timer
/// fired, submit or unbind requested, connection lost. The owner then performs the returned
/// actions in order: send a PDU, report the bind, complete a submit, hand over a `deliver_sm`, or
/// close the connection. Sequence numbers and the window belong to one connection: make a new
/// session for each.
///
/// Requests from the SMSC get a response at once, however full the window is: `enquire_link` with a
/// header-only `enquire_link_resp` echoing its sequence number, `deliver_sm` with
/// `deliver_sm_resp` (unless `Configuration.defersDeliverResponse`, when the owner answers it
/// later), `unbind` with `unbind_resp`, anything unknown with `generic_nack`.
public struct SMPPSession: Sendable {
    /// The fixed parameters of a session.
    public struct Configuration: Equatable, Sendable {
        /// The bind request sent on `connectionOpened`.
        public var bind: BindRequest
        /// How many submits may wait for their response at once.
        public var windowSize: Int
        /// Idle time after which an `enquire_link` is sent.
        public var enquireLinkInterval: Duration
        /// How long a bind, submit, `enquire_link` or unbind waits for its response.
        public var responseTimeout: Duration
        /// The largest `command_length` accepted from the SMSC.
        public var maximumPDULength: UInt32
        /// Whether the connection was opened by the SMSC: the session then waits for its `outbind`
        /// (at most the response timeout) and only binds after one whose `system_id` is
        /// `outbindSystemID` and whose password is the bind's.
        public var waitsForOutbind: Bool
        /// The `system_id` an `outbind` must carry; the bind's own `system_id` unless the link
        /// names the SMSC's.
        public var outbindSystemID: String
        /// Whether a `deliver_sm` is handed over as `.deliverAwaitingResponse` and answered by
        /// `respondToDeliverSM(sequenceNumber:status:)`, instead of answered at once.
        public var defersDeliverResponse = false

        public init(
            bind: BindRequest,
            windowSize: Int = 10,
            enquireLinkInterval: Duration = .seconds(30),
            responseTimeout: Duration = .seconds(10),
            maximumPDULength: UInt32 = PDU.defaultMaximumLength,
            waitsForOutbind: Bool = false,
            outbindSystemID: String? = nil
        ) {
            self.bind = bind
            self.windowSize = windowSize
            self.enquireLinkInterval = enquireLinkInterval
            self.responseTimeout = responseTimeout
            self.maximumPDULength = maximumPDULength
            self.waitsForOutbind = waitsForOutbind
            self.outbindSystemID = outbindSystemID ?? bind.systemID
        }

        /// Makes the session parameters from a link's settings.
        public init(settings: SMPPLinkSettings) {
            self.init(
                bind: settings.bindRequest,
                windowSize: settings.windowSize,
                enquireLinkInterval: settings.enquireLinkInterval,
                responseTimeout: settings.responseTimeout,
                outbindSystemID: settings.outbindListener?.systemID
            )
            defersDeliverResponse = settings.defersDeliverResponse
        }
    }

    /// An action the owner must perform, in order.
    public enum Action: Equatable, Sendable {
        /// Write this PDU to the connection.
        case send(PDU)
        /// The bind succeeded; `systemID` is the SMSC's.
        case bound(systemID: String)
        /// The submit sent with this sequence number has its outcome.
        case completeSubmit(sequenceNumber: UInt32, outcome: SubmitOutcome)
        /// A `deliver_sm` arrived (its `deliver_sm_resp` is in the actions before this one).
        case deliver(DeliverSM)
        /// A `deliver_sm` arrived on a session that defers its answer: call
        /// `respondToDeliverSM(sequenceNumber:status:)` once it is handled.
        case deliverAwaitingResponse(DeliverSM, sequenceNumber: UInt32)
        /// Close the connection after writing what was sent; the session is over.
        case close(LinkDownReason)
        /// An `enquire_link_resp` (or a `generic_nack` to it) arrived: the link is alive.
        case linkAlive
        /// An `outbind` arrived on a connection this side opened (or a second one); it was ignored.
        case outbindIgnored(smscSystemID: String)
        /// An `outbind` carried a `system_id` or password other than the link's; a `.close` follows.
        /// `smscSystemID` is the `system_id` it sent; the password is never repeated.
        case outbindRejected(smscSystemID: String, reason: String)
    }

    /// The session's decision on a submit request.
    public enum SubmitAction: Equatable, Sendable {
        /// Write this `submit_sm`; its outcome arrives later as `completeSubmit` with its sequence number.
        case send(PDU)
        /// The window is full; wait for a `completeSubmit` and ask again.
        case windowFull
        /// The session is not bound (or bound as a receiver); fail over at once.
        case notBound
    }

    private enum State: Sendable {
        case idle
        case awaitingOutbind(deadline: ContinuousClock.Instant)
        case binding(sequenceNumber: UInt32, deadline: ContinuousClock.Instant)
        case bound
        case unbinding(sequenceNumber: UInt32, deadline: ContinuousClock.Instant)
        case closed(LinkDownReason)
    }

    public let configuration: Configuration
    private var state: State = .idle
    private var sequenceNumbers: SequenceNumbers
    private var framer: PDUFramer
    /// Submits in the window: sequence number to response deadline.
    private var outstandingSubmits: [UInt32: ContinuousClock.Instant] = [:]
    /// The `enquire_link` waiting for its response, if any.
    private var outstandingEnquireLink: (sequenceNumber: UInt32, deadline: ContinuousClock.Instant)?
    /// When the last PDU arrived; the next `enquire_link` is due an interval after it.
    private var lastReceived: ContinuousClock.Instant?

    /// - Parameter sequenceNumbers: where this session's own numbering starts; tests pass one
    ///   near the wrap.
    public init(configuration: Configuration, sequenceNumbers: SequenceNumbers = SequenceNumbers()) {
        self.configuration = configuration
        self.sequenceNumbers = sequenceNumbers
        self.framer = PDUFramer(maximumLength: configuration.maximumPDULength)
    }

    /// Whether submits can be sent now.
    public var isBound: Bool {
        if case .bound = state { return true }
        return false
    }

    /// Whether the session has ended; every later event is ignored.
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// How many submits wait for their response.
    public var outstandingSubmitCount: Int { outstandingSubmits.count }

    /// The number the next request of this session will carry.
    public var nextSequenceNumber: UInt32 { sequenceNumbers.upcoming }

    /// When `timerFired(now:)` must be called next; `nil` when nothing is timed.
    public var nextDeadline: ContinuousClock.Instant? {
        var deadlines: [ContinuousClock.Instant] = Array(outstandingSubmits.values)
        switch state {
        case .binding(_, let deadline), .unbinding(_, let deadline), .awaitingOutbind(let deadline):
            deadlines.append(deadline)
        case .bound:
            if let enquireLink = outstandingEnquireLink {
                deadlines.append(enquireLink.deadline)
            } else if let lastReceived {
                deadlines.append(lastReceived + configuration.enquireLinkInterval)
            }
        case .idle, .closed:
            return nil
        }
        return deadlines.min()
    }

    // MARK: Events

    /// Handles the TCP connection coming up by sending the bind, or, on a connection the SMSC
    /// opened, by starting to wait for its `outbind`.
    public mutating func connectionOpened(now: ContinuousClock.Instant) -> [Action] {
        guard case .idle = state else { return [] }
        lastReceived = now
        if configuration.waitsForOutbind {
            state = .awaitingOutbind(deadline: now + configuration.responseTimeout)
            return []
        }
        return sendBind(now: now)
    }

    /// Asks to send a submit. Only `.send` puts it in the window.
    public mutating func submit(_ submitSM: SubmitSM, now: ContinuousClock.Instant) -> SubmitAction {
        guard case .bound = state, configuration.bind.mode.canSubmit else { return .notBound }
        guard outstandingSubmits.count < configuration.windowSize else { return .windowFull }
        let sequenceNumber = sequenceNumbers.next()
        outstandingSubmits[sequenceNumber] = now + configuration.responseTimeout
        return .send(PDU(sequenceNumber: sequenceNumber, body: .submitSM(submitSM)))
    }

    /// Octets arrived from the connection; every complete PDU among them is handled.
    public mutating func received(_ bytes: some Sequence<UInt8>, now: ContinuousClock.Instant) -> [Action] {
        guard !isClosed else { return [] }
        framer.append(bytes)
        var actions: [Action] = []
        while !isClosed {
            let frame: [UInt8]
            do {
                guard let next = try framer.nextFrame() else { break }
                frame = next
            } catch {
                // The stream has lost its frame boundaries, so report the error and close it.
                actions.append(
                    .send(
                        PDU(commandStatus: .invalidCommandLength, sequenceNumber: 0, body: .genericNack(GenericNack()))
                    )
                )
                actions += close(.protocolError(error.description))
                break
            }
            actions += receivedFrame(frame, now: now)
        }
        return actions
    }

    /// Checks the timers: response timeouts make submits ambiguous, a missing bind or
    /// `enquire_link` response ends the session, and an idle link gets an `enquire_link`.
    public mutating func timerFired(now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .idle, .closed:
            return []
        case .binding(_, let deadline):
            return now >= deadline ? close(.bindTimeout) : []
        case .awaitingOutbind(let deadline):
            return now >= deadline ? close(.protocolError("timed out waiting for the outbind")) : []
        case .unbinding(_, let deadline):
            return now >= deadline ? close(.unbound) : expireSubmits(now: now)
        case .bound:
            if let enquireLink = outstandingEnquireLink, now >= enquireLink.deadline {
                return close(.enquireLinkTimeout)
            }
            var actions = expireSubmits(now: now)
            if let lastReceived, now >= lastReceived + configuration.enquireLinkInterval {
                actions += sendEnquireLink(now: now)
            }
            return actions
        }
    }

    /// Probes the link now with an `enquire_link`, unless one is already waiting for its response.
    ///
    /// `.linkAlive` follows when the response arrives, `.close(.enquireLinkTimeout)` when it does
    /// not come within the response timeout. Returns nothing when the session is not bound.
    public mutating func enquireLinkRequested(now: ContinuousClock.Instant) -> [Action] {
        guard case .bound = state else { return [] }
        return sendEnquireLink(now: now)
    }

    /// Asks to end the session politely: `unbind` when bound, else close at once.
    public mutating func unbindRequested(now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .bound:
            let sequenceNumber = sequenceNumbers.next()
            state = .unbinding(sequenceNumber: sequenceNumber, deadline: now + configuration.responseTimeout)
            return [.send(PDU(sequenceNumber: sequenceNumber, body: .unbind(Unbind())))]
        case .idle, .binding, .awaitingOutbind:
            return close(.stopped)
        case .unbinding, .closed:
            return []
        }
    }

    /// Answers a `deliver_sm` handed over as `.deliverAwaitingResponse` with a `deliver_sm_resp`
    /// carrying `status`. Returns nothing once the session has closed: the SMSC sends an
    /// unanswered `deliver_sm` again on another session.
    public mutating func respondToDeliverSM(sequenceNumber: UInt32, status: CommandStatus) -> [Action] {
        guard !isClosed else { return [] }
        return [
            .send(PDU(commandStatus: status, sequenceNumber: sequenceNumber, body: .deliverSMResponse(DeliverSMResponse())))
        ]
    }

    /// Handles a broken connection: every submit in the window becomes ambiguous.
    public mutating func connectionLost(_ reason: LinkDownReason) -> [Action] {
        guard !isClosed else { return [] }
        return close(reason)
    }

    // MARK: Handling one PDU

    private mutating func receivedFrame(_ frame: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        lastReceived = now
        let pdu: PDU
        do {
            pdu = try PDU(decoding: frame, maximumLength: configuration.maximumPDULength)
        } catch {
            return malformedFrame(frame, error: error)
        }
        switch pdu.body {
        case .enquireLink:
            return [.send(PDU(sequenceNumber: pdu.sequenceNumber, body: .enquireLinkResponse(EnquireLinkResponse())))]
        case .enquireLinkResponse:
            guard outstandingEnquireLink?.sequenceNumber == pdu.sequenceNumber else { return [] }
            outstandingEnquireLink = nil
            return [.linkAlive]
        case .bindResponse(let response):
            return bindAnswered(
                sequenceNumber: pdu.sequenceNumber,
                status: pdu.commandStatus,
                systemID: response.systemID
            )
        case .submitSMResponse(let response):
            return submitAnswered(
                pdu.sequenceNumber,
                outcome: pdu.commandStatus == .ok
                    ? .accepted(messageID: response.messageID, messageIDKey: response.messageID)
                    : .rejected(pdu.commandStatus)
            )
        case .genericNack:
            return nackReceived(pdu)
        case .deliverSM(let deliverSM):
            if configuration.defersDeliverResponse {
                return [.deliverAwaitingResponse(deliverSM, sequenceNumber: pdu.sequenceNumber)]
            }
            return [
                .send(PDU(sequenceNumber: pdu.sequenceNumber, body: .deliverSMResponse(DeliverSMResponse()))),
                .deliver(deliverSM),
            ]
        case .unbind:
            return [.send(PDU(sequenceNumber: pdu.sequenceNumber, body: .unbindResponse(UnbindResponse())))]
                + close(.unboundBySMSC)
        case .unbindResponse:
            if case .unbinding(let sequenceNumber, _) = state, sequenceNumber == pdu.sequenceNumber {
                return close(.unbound)
            }
            return []
        case .outbind(let outbind):
            return outbindReceived(outbind, now: now)
        case .deliverSMResponse:
            return []
        case .bind, .submitSM:
            return [genericNack(for: pdu.sequenceNumber, status: .invalidCommandID)]
        case .unsupported(let commandID, _):
            return commandID.isResponse ? [] : [genericNack(for: pdu.sequenceNumber, status: .invalidCommandID)]
        }
    }

    private mutating func sendBind(now: ContinuousClock.Instant) -> [Action] {
        let sequenceNumber = sequenceNumbers.next()
        state = .binding(sequenceNumber: sequenceNumber, deadline: now + configuration.responseTimeout)
        lastReceived = now
        return [.send(PDU(sequenceNumber: sequenceNumber, body: .bind(configuration.bind)))]
    }

    private mutating func outbindReceived(_ outbind: Outbind, now: ContinuousClock.Instant) -> [Action] {
        guard case .awaitingOutbind = state else {
            return [.outbindIgnored(smscSystemID: outbind.systemID)]
        }
        // Both are compared in full whatever the first difference, so timing reveals nothing of the password.
        let systemIDMatches = ConstantTimeComparison.equal(outbind.systemID, configuration.outbindSystemID)
        let passwordMatches = ConstantTimeComparison.equal(outbind.password, configuration.bind.password)
        guard systemIDMatches, passwordMatches else {
            let reason =
                systemIDMatches
                ? "outbind rejected: its password does not match this link's password"
                : "outbind rejected: its system_id is not the one this link expects"
            return [.outbindRejected(smscSystemID: outbind.systemID, reason: reason)] + close(.protocolError(reason))
        }
        return sendBind(now: now)
    }

    private mutating func bindAnswered(sequenceNumber: UInt32, status: CommandStatus, systemID: String) -> [Action] {
        guard case .binding(let expected, _) = state, expected == sequenceNumber else { return [] }
        guard status == .ok else { return close(.bindRejected(status)) }
        state = .bound
        return [.bound(systemID: systemID)]
    }

    private mutating func submitAnswered(_ sequenceNumber: UInt32, outcome: SubmitOutcome) -> [Action] {
        // A response after its timeout finds nothing: the submit already ended ambiguous.
        guard outstandingSubmits.removeValue(forKey: sequenceNumber) != nil else { return [] }
        return [.completeSubmit(sequenceNumber: sequenceNumber, outcome: outcome)]
    }

    private mutating func nackReceived(_ pdu: PDU) -> [Action] {
        if outstandingSubmits[pdu.sequenceNumber] != nil {
            return submitAnswered(pdu.sequenceNumber, outcome: .rejected(pdu.commandStatus))
        }
        if outstandingEnquireLink?.sequenceNumber == pdu.sequenceNumber {
            // The SMSC responded, so the link is alive even though it rejects enquire_link.
            outstandingEnquireLink = nil
            return [.linkAlive]
        }
        if case .binding(let expected, _) = state, expected == pdu.sequenceNumber {
            return close(.bindRejected(pdu.commandStatus))
        }
        return []
    }

    private mutating func malformedFrame(_ frame: [UInt8], error: PDUDecodingError) -> [Action] {
        guard let header = PDUHeader(peeking: frame) else { return [] }
        if header.commandID == .submitSMResponse || header.commandID == .genericNack {
            // An error status is readable from the header even when the body is not.
            let outcome: SubmitOutcome =
                header.commandStatus == .ok
                ? .ambiguous(.malformedResponse(error)) : .rejected(header.commandStatus)
            return submitAnswered(header.sequenceNumber, outcome: outcome)
        }
        if header.commandID.isResponse { return [] }
        let status: CommandStatus
        switch error {
        case .tlvLengthPastEnd, .invalidTLVLength: status = .invalidOptionalParameterStream
        case .invalidField(name: "sm_length", _, _): status = .invalidMessageLength
        default: status = .invalidCommandLength
        }
        return [genericNack(for: header.sequenceNumber, status: status)]
    }

    private mutating func sendEnquireLink(now: ContinuousClock.Instant) -> [Action] {
        guard outstandingEnquireLink == nil else { return [] }
        let sequenceNumber = sequenceNumbers.next()
        outstandingEnquireLink = (sequenceNumber, now + configuration.responseTimeout)
        return [.send(PDU(sequenceNumber: sequenceNumber, body: .enquireLink(EnquireLink())))]
    }

    private func genericNack(for sequenceNumber: UInt32, status: CommandStatus) -> Action {
        .send(PDU(commandStatus: status, sequenceNumber: sequenceNumber, body: .genericNack(GenericNack())))
    }

    private mutating func expireSubmits(now: ContinuousClock.Instant) -> [Action] {
        let expired = outstandingSubmits.filter { $0.value <= now }.keys.sorted()
        return expired.flatMap { submitAnswered($0, outcome: .ambiguous(.responseTimeout)) }
    }

    private mutating func close(_ reason: LinkDownReason) -> [Action] {
        state = .closed(reason)
        outstandingEnquireLink = nil
        let pending = outstandingSubmits.keys.sorted()
        outstandingSubmits.removeAll()
        return pending.map { .completeSubmit(sequenceNumber: $0, outcome: .ambiguous(.linkDown(reason))) }
            + [.close(reason)]
    }
}
