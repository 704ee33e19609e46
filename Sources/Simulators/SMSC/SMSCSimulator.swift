import Diagnostics
import Foundation
import SMPP
import SMSCodec

/// An SMPP 3.4 SMSC on 127.0.0.1 for tests and `lifeline demo`.
///
/// It accepts `bind_transmitter`, `bind_receiver` and `bind_transceiver` with the configured
/// credentials (a wrong password gets `ESME_RINVPASWD`, an unknown `system_id`
/// `ESME_RINVSYSID`), responds to `submit_sm` with increasing message ids, sends a delivery receipt
/// (`deliver_sm` with `esm_class` 0x04, the Appendix B text and the `receipted_message_id`,
/// `message_state` and `network_error_code` TLVs) after `receiptDelay`, responds to `enquire_link`
/// and `unbind`, and `generic_nack`s anything else. Every submit is recorded in
/// `receivedSubmits`.
///
/// Fault knobs: throttle or nack the next N submits, drop the connection on the Nth submit or
/// at once, drop or unbind only the sessions bound in one mode, delay or withhold responses,
/// stop answering `enquire_link`, send receipts for unknown ids or before the `submit_sm_resp`,
/// refuse or fail some bind commands, and stop listening.
///
/// Receipts go where a carrier's SMSC sends them: to the `system_id` that submitted, not to one
/// connection. A receipt goes on the submit's connection when that takes deliveries, else on
/// another receiver or transceiver session bound with the same `system_id`. With none bound it is
/// held (at most `maxHeldReceipts`, the oldest dropped beyond) until one binds. A receipt sent on
/// a connection that closes before its `deliver_sm_resp` is routed again the same way, so the
/// receipts of an ESME that dies reach the sessions it, or another box with its `system_id`, has left.
/// A receipt answered with `ESME_RX_T_APPN` (the ESME could not store it) is sent again the same
/// way after `SMSCSimulatorConfiguration.deliverRetryDelay`; one answered with any other error
/// is dropped, as a carrier drops what the ESME rejects for good.
///
/// Long messages are joined as a carrier would, whichever form they came in (concatenation UDH,
/// SAR parameters, `message_payload`), and recorded in `receivedMessages`. The simulator can also
/// dial an ESME's outbind port and send `outbind`, then serve the receiver bind that follows.
/// `stop()` closes the port and every connection and returns when their tasks have ended. Logs at `debug`.
public actor SMSCSimulator {
    private final class Connection {
        let number: Int
        let socket: any SMPPTransport
        var mode: BindMode?
        var systemID = ""
        var sequenceNumbers = SequenceNumbers()
        var framer = PDUFramer()
        /// Receipts sent on this connection and not yet answered with `deliver_sm_resp`, by
        /// sequence number.
        var unacknowledgedReceipts: [UInt32: DeliverSM] = [:]

        init(number: Int, socket: any SMPPTransport) {
            self.number = number
            self.socket = socket
        }

        var receivesDeliveries: Bool { mode == .receiver || mode == .transceiver }
    }

    private var configuration: SMSCSimulatorConfiguration
    private let logger: Logger
    private var listener: TCPListener?
    private var acceptTask: Task<Void, Never>?
    private var connectionTasks: [Int: Task<Void, Never>] = [:]
    private var connections: [Int: Connection] = [:]
    private var connectionCounter = 0
    private var nextMessageID: Int
    private var submits: [ReceivedSubmit] = []
    private var waiters: [Waiter] = []
    private var waiterCounter = 0
    private var bindCount = 0
    private var enquireLinkResponseCount = 0
    private var reassembler = ConcatenationReassembler()
    private var partMessageIDs: [String: [String]] = [:]
    private var messages: [ReassembledMessage] = []
    private var refusedBindModes: Set<BindMode> = []
    /// Receipts owed to a `system_id` with no receiver or transceiver session bound, oldest first.
    private var heldReceipts: [(systemID: String, receipt: DeliverSM)] = []
    /// Set by `stop()`, after which the receipts of closing connections are not routed again.
    private var stopping = false
    private var deliverRetries = 0
    private var failedBindModes: Set<BindMode> = []
    private var failedBindStatus = CommandStatus.bindFailed

    // Fault knobs.
    private var throttleRemaining = 0
    private var nackRemaining = 0
    private var nackStatus = CommandStatus.invalidCommandID
    private var dropOnSubmit: Int?
    private var answersSubmits = true
    private var answersEnquireLink = true
    private var receiptBeforeResponse = false

    /// The port listened on, once `start()` returned.
    public private(set) var port: UInt16?

    public init(configuration: SMSCSimulatorConfiguration = SMSCSimulatorConfiguration(), logger: Logger = .disabled) {
        self.configuration = configuration
        self.nextMessageID = configuration.firstMessageID
        var logger = logger
        logger[metadataKey: "smsc.simulator"] = configuration.smscSystemID
        self.logger = logger
    }

    // MARK: Life cycle

    /// Listens on 127.0.0.1 (port 0 picks a free one) and returns the port.
    ///
    /// - Throws: `SocketError` when the port cannot be bound.
    @discardableResult
    public func start(port requestedPort: UInt16 = 0) throws -> UInt16 {
        if let port, listener != nil { return port }
        let listener = try TCPListener(address: "127.0.0.1", port: requestedPort)
        self.listener = listener
        stopping = false
        port = listener.port
        acceptTask = Task { [weak self] in
            for await socket in listener.connections {
                await self?.accepted(socket)
            }
        }
        logger.debug("SMSC listening", metadata: ["smsc.port": "\(listener.port)"])
        return listener.port
    }

    /// Stops listening, closes every connection, and waits for their tasks to end.
    public func stop() async {
        stopping = true
        listener?.close()
        listener = nil
        await acceptTask?.value
        acceptTask = nil
        for connection in connections.values {
            connection.socket.close(flush: true)
        }
        let tasks = Array(connectionTasks.values)
        for task in tasks {
            await task.value
        }
        for waiter in waiters {
            waiter.continuation.resume(returning: false)
        }
        waiters.removeAll()
        logger.debug("SMSC stopped")
    }

    // MARK: What it saw

    /// Every submit received so far, oldest first.
    public var receivedSubmits: [ReceivedSubmit] { submits }

    /// How many connections are bound now.
    public var boundConnectionCount: Int { connections.values.filter { $0.mode != nil }.count }

    /// How many receipts are held for a `system_id` with no receiver bound.
    public var heldReceiptCount: Int { heldReceipts.count }

    /// Receipts sent and not yet answered with `deliver_sm_resp`, over every connection.
    public var unansweredReceiptCount: Int { connections.values.map(\.unacknowledgedReceipts.count).reduce(0, +) }

    /// Receipts sent again after a `deliver_sm_resp` with `ESME_RX_T_APPN`.
    public var receiptRetryCount: Int { deliverRetries }

    /// How many binds succeeded since start.
    public var successfulBindCount: Int { bindCount }

    /// Waits until at least `count` submits have been received, at most `timeout`.
    /// Returns whether they arrived.
    public func waitForSubmits(count: Int, timeout: Duration) async -> Bool {
        await wait(for: .submits, count: count, current: submits.count, timeout: timeout)
    }

    /// Every message whose parts have all arrived, in the order they completed.
    public var receivedMessages: [ReassembledMessage] { messages }

    /// Waits until at least `count` messages are complete, at most `timeout`.
    public func waitForMessages(count: Int, timeout: Duration) async -> Bool {
        await wait(for: .messages, count: count, current: messages.count, timeout: timeout)
    }

    /// How many `enquire_link_resp` arrived for the simulator's own `enquire_link`s.
    public var enquireLinkResponsesReceived: Int { enquireLinkResponseCount }

    /// Waits until at least `count` `enquire_link_resp`s have arrived, at most `timeout`.
    public func waitForEnquireLinkResponses(count: Int, timeout: Duration) async -> Bool {
        await wait(for: .enquireLinkResponses, count: count, current: enquireLinkResponseCount, timeout: timeout)
    }

    /// Waits until at least `count` binds have succeeded since start, at most `timeout`.
    public func waitForBinds(count: Int, timeout: Duration) async -> Bool {
        await wait(for: .binds, count: count, current: bindCount, timeout: timeout)
    }

    // MARK: Fault knobs

    /// Rejects binds with these commands by `generic_nack` (`ESME_RINVCMDID`), as SMSCs that do
    /// not implement them do.
    public func refuseBinds(_ modes: Set<BindMode>) {
        refusedBindModes = modes
    }

    /// Rejects binds with these commands by a `bind_resp` carrying `status`, as an SMSC does that
    /// supports the command but will not bind now. An empty set accepts every bind again.
    public func failBinds(_ modes: Set<BindMode>, status: CommandStatus = .bindFailed) {
        failedBindModes = modes
        failedBindStatus = status
    }

    /// Responds to the next `count` submits with `ESME_RTHROTTLED`.
    public func throttleNextSubmits(_ count: Int) {
        throttleRemaining = count
    }

    /// Responds to the next `count` submits with `generic_nack` carrying `status`.
    public func nackNextSubmits(_ count: Int, status: CommandStatus = .invalidCommandID) {
        nackRemaining = count
        nackStatus = status
    }

    /// Closes the connection, without a response, when the `count`th submit from now arrives.
    public func dropConnectionOnSubmit(_ count: Int) {
        dropOnSubmit = submits.count + count
    }

    /// Holds every later `submit_sm_resp` back by `delay`.
    public func setResponseDelay(_ delay: Duration) {
        configuration.responseDelay = delay
    }

    /// With `false`, submits are recorded and get no response.
    public func setAnswersSubmits(_ answers: Bool) {
        answersSubmits = answers
    }

    /// With `false`, `enquire_link` gets no answer, so the client declares the link dead.
    public func setAnswersEnquireLink(_ answers: Bool) {
        answersEnquireLink = answers
    }

    /// With `true`, each receipt is sent before its submit's `submit_sm_resp`.
    public func setReceiptBeforeResponse(_ before: Bool) {
        receiptBeforeResponse = before
    }

    /// Sets the final state of later receipts (`.delivered` for DELIVRD, `.undeliverable` for UNDELIV, …).
    public func setReceiptState(_ state: SMPPMessageState) {
        configuration.receiptState = state
    }

    /// Sets how long after its submit a receipt is sent.
    public func setReceiptDelay(_ delay: Duration) {
        configuration.receiptDelay = delay
    }

    /// Sends a receipt for `messageID`, which need not be one it issued, to every connection
    /// bound as receiver or transceiver.
    public func sendReceipt(messageID: String, state: SMPPMessageState) {
        let receipt = makeReceipt(messageID: messageID, state: state, destination: "", source: "", text: "")
        for connection in connections.values where connection.receivesDeliveries {
            sendRequest(.deliverSM(receipt), on: connection)
        }
    }

    /// Sends an inbound SMS (mobile originated) to every connection bound as receiver or transceiver.
    ///
    /// - Parameters:
    ///   - sender: the handset's number, without `+`.
    ///   - recipient: the short code or number it was sent to.
    ///   - shortMessage: octets already encoded for `dataCoding`.
    public func sendInboundMessage(
        from sender: String,
        to recipient: String,
        shortMessage: [UInt8],
        dataCoding: UInt8 = 0
    ) {
        let message = DeliverSM(
            sourceAddressTON: 1,
            sourceAddressNPI: 1,
            sourceAddress: sender,
            destinationAddress: recipient,
            dataCoding: dataCoding,
            shortMessage: shortMessage
        )
        for connection in connections.values where connection.receivesDeliveries {
            sendRequest(.deliverSM(message), on: connection)
        }
    }

    /// Sends `text` as an inbound SMS, split into UDH parts as a handset would when it does not fit
    /// one SMS, to every connection bound as receiver or transceiver.
    ///
    /// GSM 7-bit text goes with `data_coding` 0. With `packsGSM` its septets are packed into octets
    /// after the header and its fill bits, else sent one per octet. Other text goes as UCS-2.
    /// - Parameters:
    ///   - sender: the handset's number, without `+`.
    ///   - reference: the concatenation reference of a multipart text.
    /// - Throws: `SegmentPlanner.PlanningError` for a text over 10 parts.
    public func sendInboundText(
        _ text: String,
        from sender: String,
        to recipient: String,
        packsGSM: Bool,
        reference: UInt8 = 1
    ) throws(SegmentPlanner.PlanningError) {
        let plan = try SegmentPlanner.plan(text, options: SegmentPlanner.Options(reference: UInt16(reference)))
        let packs = packsGSM && plan.encoding == .gsm7
        for segment in plan.segments {
            let hasHeader = segment.header != nil
            sendDeliverSM(
                DeliverSM(
                    sourceAddressTON: 1,
                    sourceAddressNPI: 1,
                    sourceAddress: sender,
                    destinationAddress: recipient,
                    esmClass: hasHeader ? 0x40 : 0,
                    dataCoding: plan.dataCoding,
                    shortMessage: packs ? segment.packedUserData : segment.unpackedUserData
                )
            )
        }
    }

    /// Sends a `deliver_sm` as given to every connection bound as receiver or transceiver, for
    /// inbound SMS in any form (UDH or SAR parts, `message_payload`).
    public func sendDeliverSM(_ deliverSM: DeliverSM) {
        for connection in connections.values where connection.receivesDeliveries {
            sendRequest(.deliverSM(deliverSM), on: connection)
        }
    }

    /// Sends `outbind` on every bound connection, where an ESME does not expect one.
    public func sendOutbindOnBoundConnections(password: String) {
        for connection in connections.values where connection.mode != nil {
            sendRequest(.outbind(Outbind(systemID: configuration.smscSystemID, password: password)), on: connection)
        }
    }

    /// Dials an ESME's outbind listener on 127.0.0.1, sends `outbind`, and serves the connection
    /// like an accepted one, so the ESME's receiver bind and later deliveries go over it.
    ///
    /// - Parameter systemID: the outbind's `system_id`; the account's (`configuration.systemID`)
    ///   by default, which is what a link expects unless configured with the SMSC's name.
    /// - Throws: `SocketError` when the connection cannot be made.
    public func outbind(toPort port: UInt16, systemID: String? = nil, password: String) async throws(SocketError) {
        let socket = try await TCPConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
        accepted(socket)
        let outbind = Outbind(systemID: systemID ?? configuration.systemID, password: password)
        socket.send(PDU(sequenceNumber: 1, body: .outbind(outbind)).encoded())
    }

    /// Sends `enquire_link` on every bound connection; responses are counted in `enquireLinkResponsesReceived`.
    public func sendEnquireLink() {
        for connection in connections.values where connection.mode != nil {
            sendRequest(.enquireLink(EnquireLink()), on: connection)
        }
    }

    /// Sends `unbind` on every bound connection.
    public func unbindAll() {
        for connection in connections.values where connection.mode != nil {
            sendRequest(.unbind(Unbind()), on: connection)
        }
    }

    /// Sends `unbind` on every connection bound with `mode`, leaving the others bound.
    public func unbind(boundAs mode: BindMode) {
        for connection in connections.values where connection.mode == mode {
            sendRequest(.unbind(Unbind()), on: connection)
        }
    }

    /// Closes every connection bound with `mode` at once, leaving the others open.
    public func dropConnections(boundAs mode: BindMode) {
        for connection in connections.values where connection.mode == mode {
            connection.socket.close(flush: false)
        }
    }

    /// Closes every connection at once, whatever is in flight.
    public func dropConnections() {
        for connection in connections.values {
            connection.socket.close(flush: false)
        }
    }

    /// Stops listening: new connects are refused. Open connections stay.
    public func refuseConnections() async {
        listener?.close()
        listener = nil
        await acceptTask?.value
        acceptTask = nil
    }

    /// Listens again on the same port after `refuseConnections()`.
    ///
    /// - Throws: `SocketError` when the port was taken meanwhile.
    public func acceptConnections() throws {
        guard listener == nil, let port else { return }
        self.port = nil
        try start(port: port)
    }

    // MARK: Connections

    private func accepted(_ socket: any SMPPTransport) {
        connectionCounter += 1
        let connection = Connection(number: connectionCounter, socket: socket)
        connections[connection.number] = connection
        logger.debug(
            "SMSC accepted",
            metadata: ["smsc.connection": "\(connection.number)", "smsc.peer": socket.peerDescription]
        )
        let number = connection.number
        connectionTasks[number] = Task { [weak self] in
            for await event in socket.incoming {
                guard case .bytes(let bytes) = event else { break }
                await self?.received(bytes, on: number)
            }
            await self?.closed(number)
        }
    }

    private func closed(_ number: Int) {
        let connection = connections.removeValue(forKey: number)
        connectionTasks.removeValue(forKey: number)
        logger.debug("SMSC connection closed", metadata: ["smsc.connection": "\(number)"])
        guard let connection, !stopping else { return }
        // Receipts the ESME never acknowledged are owed again, in the order they were sent.
        for sequenceNumber in connection.unacknowledgedReceipts.keys.sorted() {
            if let receipt = connection.unacknowledgedReceipts[sequenceNumber] {
                deliverReceipt(receipt, preferring: nil, systemID: connection.systemID)
            }
        }
    }

    private func received(_ bytes: [UInt8], on number: Int) {
        guard let connection = connections[number] else { return }
        connection.framer.append(bytes)
        while true {
            let frame: [UInt8]
            do {
                guard let next = try connection.framer.nextFrame() else { return }
                frame = next
            } catch {
                logger.debug("SMSC unframeable input", metadata: ["smsc.error": error.description])
                send(
                    PDU(commandStatus: .invalidCommandLength, sequenceNumber: 0, body: .genericNack(GenericNack())),
                    on: connection
                )
                connection.socket.close(flush: true)
                return
            }
            do {
                handle(try PDU(decoding: frame), on: connection)
            } catch {
                let header = PDUHeader(peeking: frame)
                logger.debug("SMSC malformed PDU", metadata: ["smsc.error": error.description])
                if let header, !header.commandID.isResponse {
                    send(
                        PDU(
                            commandStatus: .invalidCommandLength,
                            sequenceNumber: header.sequenceNumber,
                            body: .genericNack(GenericNack())
                        ),
                        on: connection
                    )
                }
            }
        }
    }

    private func handle(_ pdu: PDU, on connection: Connection) {
        logger.debug(
            "SMSC received",
            metadata: ["smsc.command": "\(pdu.commandID)", "smsc.seq": "\(pdu.sequenceNumber)"]
        )
        switch pdu.body {
        case .bind(let bind):
            handleBind(bind, sequenceNumber: pdu.sequenceNumber, on: connection)
        case .submitSM(let submitSM):
            handleSubmit(submitSM, sequenceNumber: pdu.sequenceNumber, on: connection)
        case .enquireLink:
            if answersEnquireLink {
                send(
                    PDU(sequenceNumber: pdu.sequenceNumber, body: .enquireLinkResponse(EnquireLinkResponse())),
                    on: connection
                )
            }
        case .unbind:
            send(PDU(sequenceNumber: pdu.sequenceNumber, body: .unbindResponse(UnbindResponse())), on: connection)
            connection.mode = nil
            connection.socket.close(flush: true)
        case .unbindResponse:
            connection.mode = nil
            connection.socket.close(flush: true)
        case .enquireLinkResponse:
            enquireLinkResponseCount += 1
            resumeWaiters(.enquireLinkResponses, reached: enquireLinkResponseCount)
        case .deliverSMResponse:
            let receipt = connection.unacknowledgedReceipts.removeValue(forKey: pdu.sequenceNumber)
            if let receipt, pdu.commandStatus == .receiverTemporaryError {
                retryReceipt(receipt, preferring: connection.number, systemID: connection.systemID)
            } else if pdu.commandStatus != .ok {
                logger.debug("SMSC receipt rejected by the ESME", metadata: ["smsc.status": "\(pdu.commandStatus)"])
            }
        case .genericNack:
            connection.unacknowledgedReceipts.removeValue(forKey: pdu.sequenceNumber)
        case .unsupported(let commandID, _) where commandID.isResponse:
            break
        case .bindResponse, .outbind, .deliverSM, .submitSMResponse, .unsupported:
            send(
                PDU(
                    commandStatus: .invalidCommandID,
                    sequenceNumber: pdu.sequenceNumber,
                    body: .genericNack(GenericNack())
                ),
                on: connection
            )
        }
    }

    private func handleBind(_ bind: BindRequest, sequenceNumber: UInt32, on connection: Connection) {
        if refusedBindModes.contains(bind.mode) {
            logger.debug("SMSC bind rejected", metadata: ["smsc.bind": bind.mode.rawValue])
            send(
                PDU(commandStatus: .invalidCommandID, sequenceNumber: sequenceNumber, body: .genericNack(GenericNack())),
                on: connection
            )
            return
        }
        let status: CommandStatus
        if connection.mode != nil {
            status = .alreadyBound
        } else if failedBindModes.contains(bind.mode) {
            status = failedBindStatus
        } else if bind.systemID != configuration.systemID {
            status = .invalidSystemID
        } else if bind.password != configuration.password {
            status = .invalidPassword
        } else {
            status = .ok
        }
        logger.debug("SMSC bind", metadata: ["smsc.bind": bind.mode.rawValue, "smsc.status": "\(status)"])
        send(
            PDU(
                commandStatus: status,
                sequenceNumber: sequenceNumber,
                body: .bindResponse(BindResponse(mode: bind.mode, systemID: configuration.smscSystemID))
            ),
            on: connection
        )
        guard status == .ok else { return }
        connection.mode = bind.mode
        connection.systemID = bind.systemID
        bindCount += 1
        resumeWaiters(.binds, reached: bindCount)
        if connection.receivesDeliveries { sendHeldReceipts(to: connection) }
    }

    private func handleSubmit(_ submitSM: SubmitSM, sequenceNumber: UInt32, on connection: Connection) {
        var record = ReceivedSubmit(
            connectionNumber: connection.number,
            systemID: connection.systemID,
            sequenceNumber: sequenceNumber,
            submitSM: submitSM,
            responseStatus: nil,
            messageID: nil
        )
        defer {
            submits.append(record)
            resumeWaiters(.submits, reached: submits.count)
        }

        // Fault knobs first, in order: drop, silence, nack.
        if let dropOnSubmit, submits.count + 1 >= dropOnSubmit {
            self.dropOnSubmit = nil
            logger.debug("SMSC dropping connection on submit", metadata: ["smsc.connection": "\(connection.number)"])
            connection.socket.close(flush: false)
            return
        }
        guard answersSubmits else { return }
        if nackRemaining > 0 {
            nackRemaining -= 1
            record.responseStatus = nackStatus
            respond(
                PDU(commandStatus: nackStatus, sequenceNumber: sequenceNumber, body: .genericNack(GenericNack())),
                on: connection
            )
            return
        }

        let status: CommandStatus
        if connection.mode == nil || connection.mode == .receiver {
            status = .invalidBindStatus
        } else if throttleRemaining > 0 {
            throttleRemaining -= 1
            status = .throttled
        } else {
            status = .ok
        }
        record.responseStatus = status
        guard status == .ok else {
            respond(
                PDU(
                    commandStatus: status,
                    sequenceNumber: sequenceNumber,
                    body: .submitSMResponse(SubmitSMResponse(messageID: ""))
                ),
                on: connection
            )
            return
        }

        let messageID = String(nextMessageID)
        nextMessageID += 1
        record.messageID = messageID
        reassemble(submitSM, messageID: messageID)
        let response = PDU(
            sequenceNumber: sequenceNumber,
            body: .submitSMResponse(SubmitSMResponse(messageID: messageID))
        )

        let wantsReceipt = configuration.sendsReceipts && submitSM.registeredDelivery & 0x03 != 0
        let receipt = makeReceipt(
            messageID: messageID,
            state: configuration.receiptState,
            destination: submitSM.sourceAddress,
            source: submitSM.destinationAddress,
            text: String(decoding: submitSM.shortMessage.prefix(20).filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
        )
        if wantsReceipt && receiptBeforeResponse {
            sendReceipt(receipt, on: connection)
            respond(response, on: connection)
        } else {
            respond(response, on: connection)
            if wantsReceipt { scheduleReceipt(receipt, for: connection) }
        }
    }

    // MARK: Long messages

    /// Feeds an accepted submit to the reassembler and records the message once complete.
    private func reassemble(_ submitSM: SubmitSM, messageID: String) {
        let payloadParameter = submitSM.parameters.messagePayload
        let octets = submitSM.shortMessage.isEmpty ? payloadParameter ?? [] : submitSM.shortMessage
        let hasHeader = submitSM.esmClass & 0x40 != 0
        var part: ConcatenationReassembler.Part
        do {
            part = try ConcatenationReassembler.Part(
                sender: submitSM.destinationAddress,
                shortMessage: octets,
                dataCoding: submitSM.dataCoding,
                hasHeader: hasHeader,
                receivedAt: Date()
            )
        } catch {
            logger.debug("SMSC unreadable UDH", metadata: ["smsc.error": "\(error)"])
            return
        }

        var form: LongMessageMode?
        if part.concatenation != nil {
            form = .udh
        } else if let reference = submitSM.parameters.sarMessageReference,
            let total = submitSM.parameters.sarTotalSegments,
            let sequence = submitSM.parameters.sarSegmentSequenceNumber
        {
            form = .sar
            part.concatenation = ConcatenationInfo(
                referenceWidth: .sixteenBit,
                reference: reference,
                totalParts: total,
                sequenceNumber: sequence
            )
        } else if submitSM.shortMessage.isEmpty && payloadParameter != nil {
            form = .payload
        }

        let key = part.concatenation.map { "\(submitSM.destinationAddress)/\($0.reference)/\($0.totalParts)" } ?? ""
        var ids = partMessageIDs[key, default: []]
        ids.append(messageID)
        guard let assembled = reassembler.receive(part) else {
            partMessageIDs[key] = ids
            return
        }
        partMessageIDs[key] = nil
        messages.append(
            ReassembledMessage(
                destination: submitSM.destinationAddress,
                form: form,
                text: (try? assembled.text()) ?? nil,
                partCount: assembled.partCount,
                messageIDs: ids
            )
        )
        resumeWaiters(.messages, reached: messages.count)
    }

    // MARK: Sending

    private func send(_ pdu: PDU, on connection: Connection) {
        connection.socket.send(pdu.encoded())
    }

    private func sendRequest(_ body: PDU.Body, on connection: Connection) {
        send(PDU(sequenceNumber: connection.sequenceNumbers.next(), body: body), on: connection)
    }

    /// Sends a response now, or after the configured delay.
    private func respond(_ pdu: PDU, on connection: Connection) {
        let delay = configuration.responseDelay
        guard delay > .zero else {
            send(pdu, on: connection)
            return
        }
        let socket = connection.socket
        Task {
            try? await Task.sleep(for: delay)
            socket.send(pdu.encoded())
        }
    }

    private func scheduleReceipt(_ receipt: DeliverSM, for connection: Connection) {
        let delay = configuration.receiptDelay + configuration.responseDelay
        let number = connection.number
        let systemID = connection.systemID
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.deliverReceipt(receipt, preferring: number, systemID: systemID)
        }
    }

    /// Sends a receipt on the submit's own connection if it takes deliveries, else on another
    /// receiver bound with the same `system_id`. Without either, the receipt is held.
    private func deliverReceipt(_ receipt: DeliverSM, preferring number: Int?, systemID: String) {
        let target =
            number.flatMap { connections[$0] }.flatMap { $0.receivesDeliveries ? $0 : nil }
            ?? connections.values.sorted { $0.number < $1.number }
            .first { $0.receivesDeliveries && $0.systemID == systemID }
        guard let target else {
            holdReceipt(receipt, for: systemID)
            return
        }
        sendReceipt(receipt, on: target)
    }

    /// Sends a receipt the ESME could not store again after the retry delay, routed as at first.
    private func retryReceipt(_ receipt: DeliverSM, preferring number: Int, systemID: String) {
        deliverRetries += 1
        let delay = configuration.deliverRetryDelay
        logger.debug("SMSC receipt to be sent again", metadata: ["smsc.delay": "\(delay)"])
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.deliverReceipt(receipt, preferring: number, systemID: systemID)
        }
    }

    /// Sends a receipt and keeps it until its `deliver_sm_resp` arrives.
    private func sendReceipt(_ receipt: DeliverSM, on connection: Connection) {
        let sequenceNumber = connection.sequenceNumbers.next()
        connection.unacknowledgedReceipts[sequenceNumber] = receipt
        send(PDU(sequenceNumber: sequenceNumber, body: .deliverSM(receipt)), on: connection)
    }

    private func holdReceipt(_ receipt: DeliverSM, for systemID: String) {
        guard configuration.maxHeldReceipts > 0 else {
            logger.debug("SMSC receipt dropped: no receiver bound")
            return
        }
        if heldReceipts.count >= configuration.maxHeldReceipts {
            heldReceipts.removeFirst()
            logger.debug("SMSC held receipt dropped: too many held")
        }
        heldReceipts.append((systemID, receipt))
        logger.debug("SMSC receipt held: no receiver bound", metadata: ["smsc.held": "\(heldReceipts.count)"])
    }

    /// Sends the receipts held for the `system_id` a receiver or transceiver just bound with.
    private func sendHeldReceipts(to connection: Connection) {
        let owed = heldReceipts.filter { $0.systemID == connection.systemID }
        guard !owed.isEmpty else { return }
        heldReceipts.removeAll { $0.systemID == connection.systemID }
        logger.debug("SMSC sending held receipts", metadata: ["smsc.count": "\(owed.count)"])
        for entry in owed {
            sendReceipt(entry.receipt, on: connection)
        }
    }

    private func makeReceipt(
        messageID: String,
        state: SMPPMessageState,
        destination: String,
        source: String,
        text: String
    ) -> DeliverSM {
        let now = Self.receiptDate(Date())
        let delivered = state == .delivered
        let receipt = DeliveryReceipt(
            messageID: messageID,
            submitted: 1,
            delivered: delivered ? 1 : 0,
            submitDate: now,
            doneDate: now,
            stat: state.stat,
            messageState: state,
            error: delivered ? "000" : "001",
            text: text
        )
        var parameters: [TLV] = []
        parameters.receiptedMessageID = messageID
        parameters.messageState = state
        if !delivered {
            parameters.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: 1)
        }
        return DeliverSM(
            sourceAddressTON: 1,
            sourceAddressNPI: 1,
            sourceAddress: source,
            destinationAddress: destination,
            esmClass: DeliverSM.deliveryReceiptESMClass,
            shortMessage: Array(receipt.formattedText.utf8),
            parameters: parameters
        )
    }

    private static func receiptDate(_ date: Date) -> ReceiptDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return ReceiptDate(
            year: parts.year!,
            month: parts.month!,
            day: parts.day!,
            hour: parts.hour!,
            minute: parts.minute!
        )
    }

    // MARK: Waiting

    private enum WaitKind {
        case submits, binds, enquireLinkResponses, messages
    }

    private struct Waiter {
        let id: Int
        let kind: WaitKind
        let count: Int
        let continuation: CheckedContinuation<Bool, Never>
    }

    private func wait(for kind: WaitKind, count: Int, current: Int, timeout: Duration) async -> Bool {
        guard current < count else { return true }
        waiterCounter += 1
        let id = waiterCounter
        let timeoutTask = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.expireWaiter(id)
        }
        defer { timeoutTask.cancel() }
        return await withCheckedContinuation { continuation in
            waiters.append(Waiter(id: id, kind: kind, count: count, continuation: continuation))
        }
    }

    private func expireWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    private func resumeWaiters(_ kind: WaitKind, reached value: Int) {
        let ready = waiters.filter { $0.kind == kind && $0.count <= value }
        waiters.removeAll { $0.kind == kind && $0.count <= value }
        for waiter in ready {
            waiter.continuation.resume(returning: true)
        }
    }
}
