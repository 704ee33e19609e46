import Diagnostics
import Foundation

/// One SMPP carrier link as the gateway uses it: the sessions it needs, with their events merged.
///
/// By default the link is one `ESMEClient` bound in `settings.bindMode`. With
/// `settings.bindsTransmitterAndReceiver` it runs two: a transmitter that takes the submits and a
/// receiver for receipts and inbound SMS, each re-binding on its own. With
/// `settings.outbindListener` it also listens for the SMSC's `outbind` and serves each such
/// connection as a receiver session (at most `maximumOutbindSessions` at once; further
/// connections are closed). Receipts from every session are matched by the same
/// `messageIDMatching`, and inbound parts from every session are joined by one
/// `InboundSMSAssembler` (unpacking GSM 7-bit when `settings.packsGSM`) and reported as `.inboundSMS`.
///
/// `events` carries the submitting session's events as they are, and the other sessions' events
/// with `.linkDown` turned into `.receiverSessionDown` (the separate receiver) or
/// `.outbindSessionDown` (an outbind session), and their reconnect notices dropped, so that a
/// receiver going down is not mistaken for the link. `receiverStatus` keeps the separate
/// receiver's state for status pages. `stop()` stops every session and the listener and
/// finishes `events`. The owner must consume `events`.
public actor SMPPLink {
    /// Events of every session, each session's in order.
    public nonisolated let events: AsyncStream<SMPPLinkEvent>
    /// The settings the link was made with.
    public nonisolated let settings: SMPPLinkSettings
    /// The maximum number of outbind sessions served at once.
    public static let maximumOutbindSessions = 4

    private let continuation: AsyncStream<SMPPLinkEvent>.Continuation
    private let logger: Logger
    /// The session that submits: a transceiver, or the transmitter of a pair.
    private let submitter: ESMEClient
    private let receiver: ESMEClient?
    private var listener: TCPListener?
    private var acceptTask: Task<Void, Never>?
    private var forwardingTasks: [Int: Task<Void, Never>] = [:]
    private var outbindClients: [Int: ESMEClient] = [:]
    private var sessionCounter = 0
    private var assembler: InboundSMSAssembler
    private var receiverState: ReceiverSessionStatus?
    private var started = false
    private var stopping = false

    /// Validates the settings and makes the sessions; nothing connects until `start()`.
    ///
    /// - Throws: `SMPPLinkSettingsError`, as `ESMEClient.init` does.
    public init(settings: SMPPLinkSettings, backoff: ReconnectBackoff = ReconnectBackoff(), logger: Logger)
        throws(SMPPLinkSettingsError)
    {
        self.settings = settings
        self.logger = logger
        if settings.bindsTransmitterAndReceiver {
            var transmitting = settings
            transmitting.bindMode = .transmitter
            var receiving = settings
            receiving.bindMode = .receiver
            submitter = try ESMEClient(settings: transmitting, backoff: backoff, logger: logger)
            receiver = try ESMEClient(settings: receiving, backoff: backoff, logger: logger)
        } else {
            submitter = try ESMEClient(settings: settings, backoff: backoff, logger: logger)
            receiver = nil
        }
        assembler = InboundSMSAssembler(packsGSM: settings.packsGSM)
        (events, continuation) = AsyncStream.makeStream(of: SMPPLinkEvent.self, bufferingPolicy: .unbounded)
    }

    /// Whether submits are accepted right now (the submitting session is bound).
    public var isBound: Bool {
        get async { await submitter.isBound }
    }

    /// The reason the submitting session last went down; `nil` while bound.
    public var linkDownReason: LinkDownReason? {
        get async { await submitter.linkDownReason }
    }

    /// The separate receiver session's state; `nil` for a link with one session, and before `start()`.
    public var receiverStatus: ReceiverSessionStatus? { receiverState }

    /// The port the outbind listener took, once `start()` has returned; `nil` without one.
    public var outbindPort: UInt16? { listener?.port }

    /// Starts every session, and the outbind listener when one is configured. A second call does nothing.
    ///
    /// - Throws: `SocketError` when the outbind port cannot be bound; the sessions run regardless.
    public func start() async throws(SocketError) {
        guard !started, !stopping else { return }
        started = true
        forward(submitter, role: .submitter)
        await submitter.start()
        if let receiver {
            receiverState = ReceiverSessionStatus(state: .connecting, since: Date())
            forward(receiver, role: .receiver)
            await receiver.start()
        }
        guard let outbind = settings.outbindListener else { return }
        let listener = try TCPListener(address: outbind.address, port: outbind.port)
        self.listener = listener
        logger.debug("Listening for outbind", metadata: ["smpp.outbind_port": "\(listener.port)"])
        acceptTask = Task { [weak self] in
            for await connection in listener.connections {
                await self?.accepted(connection)
            }
        }
    }

    /// Stops the listener and every session, waits for their events, and finishes `events`.
    public func stop() async {
        stopping = true
        listener?.close()
        await acceptTask?.value
        await submitter.stop()
        await receiver?.stop()
        for client in outbindClients.values {
            await client.stop()
        }
        for task in forwardingTasks.values {
            await task.value
        }
        continuation.finish()
    }

    /// Sends one `submit_sm` on the submitting session; see `ESMEClient.submit(_:)`.
    public func submit(_ submitSM: SubmitSM) async throws(SMPPClientError) -> SubmitOutcome {
        try await submitter.submit(submitSM)
    }

    /// Probes the submitting session with `enquire_link`; see `ESMEClient.probe()`. A separate
    /// receiver is not probed: it re-binds on its own, and sending does not depend on it.
    public func probe() async -> Bool {
        await submitter.probe()
    }

    // MARK: Sessions

    /// The job of a session in the link.
    private enum SessionRole {
        /// Takes the submits: a transceiver, or the transmitter of a pair.
        case submitter
        /// The separate receiver of a pair.
        case receiver
        /// A receiver the SMSC asked for with `outbind`.
        case outbind
    }

    private func forward(_ client: ESMEClient, role: SessionRole) {
        sessionCounter += 1
        let number = sessionCounter
        forwardingTasks[number] = Task { [weak self] in
            for await event in client.events {
                await self?.received(event, role: role)
            }
            await self?.sessionEnded(number)
        }
    }

    private func sessionEnded(_ number: Int) {
        guard !stopping else { return }
        forwardingTasks[number] = nil
        outbindClients[number] = nil
    }

    private func received(_ event: SMPPLinkEvent, role: SessionRole) {
        if role == .receiver, !stopping {
            receiverState = receiverState?.updated(by: event, at: Date())
        }
        switch event {
        case .inboundMessage(let deliverSM, let responder):
            let now = Date()
            for expired in assembler.expire(now: now) {
                logger.debug(
                    "Inbound SMS incomplete",
                    metadata: [
                        "smpp.source": redactedPhoneNumber(expired.sender),
                        "smpp.missing_parts": "\(expired.missingSequenceNumbers)",
                    ]
                )
            }
            if let message = assembler.receive(deliverSM, at: now) {
                continuation.yield(.inboundSMS(message, responder: responder))
            } else {
                // A part kept until the others come gets its response now, because an SMSC with a
                // window of one would otherwise never send the part that completes it.
                responder.respond(.ok)
            }
        case .linkDown where role != .submitter && stopping:
            // The link's own stop ends these sessions; that is no outage to report.
            break
        case .linkDown(let reason) where role == .receiver:
            continuation.yield(.receiverSessionDown(reason))
        case .linkDown(let reason) where role == .outbind:
            continuation.yield(.outbindSessionDown(reason))
        case .reconnectScheduled where role != .submitter:
            break
        default:
            continuation.yield(event)
        }
    }

    private func accepted(_ connection: TCPConnection) async {
        guard !stopping, outbindClients.count < Self.maximumOutbindSessions else {
            logger.debug("Outbind connection rejected", metadata: ["smpp.peer": connection.peerDescription])
            connection.close(flush: false)
            return
        }
        logger.debug("Outbind connection", metadata: ["smpp.peer": connection.peerDescription])
        let client = ESMEClient(outbindConnection: connection, settings: settings, logger: logger)
        forward(client, role: .outbind)
        outbindClients[sessionCounter] = client
        await client.start()
    }
}
