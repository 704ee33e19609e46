import ATModem
import Config
import Diagnostics
import Foundation
import SMSCodec
import Store

/// Receives each complete inbound message a provider decoded, to store it; returns whether it
/// was stored. A modem deletes the message from its SIM only after `true`.
public typealias InboundMessageHandler = @Sendable (InboundMessage) async -> Bool

/// A GSM modem in the pool: one `ModemSession` sending SMS-SUBMIT PDUs with `AT+CMGS`, one message
/// at a time, turning `+CDS` status reports into delivery reports and received messages into
/// `InboundMessage`s.
///
/// A status report is matched to its message by TP-MR plus recipient, so the provider message id
/// is `"<TP-MR>:<recipient digits>"` of the last part. TP-MR wraps after 256 messages; the store
/// resolves a repeat to the newest message with that id.
///
/// Received parts of a concatenated message are joined in memory (`ConcatenationReassembler`)
/// and handed over once complete. A message read from the SIM is deleted there (every part)
/// only after the handler reports it stored; otherwise it stays, and the next start lists and
/// hands it over again. A message whose parts do not all arrive within 10 minutes is dropped
/// from memory with a warning; its parts read from the SIM stay there, as do parts still in
/// memory when the daemon stops. A stored PDU that is unreadable or no SMS-DELIVER is deleted
/// with a warning. Parts delivered straight to the host (`+CMT`) exist only in memory.
public final class ModemProvider: Provider {
    public let id: String
    public let sendsDeliveryReports: Bool

    let session: ModemSession
    let logger: Logger
    private let inbound: InboundMessageHandler?
    private let eventTask = LockedValue<Task<Void, Never>?>(nil)
    private let initialiseTask = LockedValue<Task<Void, Never>?>(nil)
    private let lastRadio = LockedValue<ModemRadio?>(nil)
    /// Whether a recovery started by `send` is running, so that at most one runs at a time.
    private let recovering = LockedValue(false)

    /// Creates the provider; nothing is opened until `start(reports:)`.
    ///
    /// - Parameter inbound: receives each complete received message; `nil` drops them after
    ///   logging, as a pool without a store does, and leaves those read from the SIM there.
    public init(id: String, settings: ModemSettings, logger: Logger, inbound: InboundMessageHandler? = nil) {
        self.id = id
        var logger = logger
        logger[metadataKey: "provider.id"] = id
        self.logger = logger
        self.inbound = inbound
        self.sendsDeliveryReports = settings.statusReports
        self.session = ModemSession(
            binding: ModemProvider.binding(for: settings),
            baudRate: settings.baud,
            pin: settings.pin?.revealed,
            logger: logger,
            resetCommand: settings.resetCommand,
            usbReset: USBReset(isEnabled: settings.usbReset),
            readsStoredMessages: true
        )
    }

    /// Builds the session binding from the config's `device`, `imei` or `iccid` (with `scan`).
    static func binding(for settings: ModemSettings) -> ModemBinding {
        let search = settings.scan.map(PortSearch.pattern) ?? .usbSerialPorts
        if let imei = settings.imei { return .identity(.imei(imei), search: search) }
        if let iccid = settings.iccid { return .identity(.iccid(iccid), search: search) }
        return .device(settings.device ?? "")
    }

    public func start(reports: @escaping DeliveryReportHandler) async {
        let providerID = id
        let logger = logger
        let inbound = inbound
        eventTask.set(Task { [session] in
            var assembly = InboundAssembly(providerID: providerID, logger: logger)
            for await event in session.events {
                if case .inboundMessage(let pdu) = event {
                    switch assembly.add(pdu, now: Date()) {
                    case .held:
                        break
                    case .unreadable(let locations):
                        await ModemProvider.deleteStored(locations, from: session, logger: logger)
                    case .complete(let message, let locations):
                        guard let inbound else {
                            logger.debug("Inbound message dropped: no store")
                            continue
                        }
                        if await inbound(message) {
                            await ModemProvider.deleteStored(locations, from: session, logger: logger)
                        } else {
                            logger.warning(
                                "Inbound message not stored; left on the SIM until the next start",
                                metadata: ["inbound.parts.stored": "\(locations.count)"]
                            )
                        }
                    }
                    continue
                }
                await ModemProvider.handle(event, providerID: providerID, reports: reports, logger: logger)
            }
        })
        initialiseTask.set(Task { [session] in
            await ModemProvider.initialise(session, logger: logger)
        })
    }

    /// Sends `message` with `AT+CMGS`, one part at a time.
    ///
    /// A modem that is not ready gives `.unavailable` at once. When it was lost or marked down,
    /// the call also starts its recovery in the background. While messages wait for this modem,
    /// its breaker's half-open trial goes to a message rather than to a health probe, so a
    /// recovery left to the probes might never run.
    public func send(_ message: OutboundSMS) async -> SendOutcome {
        let state = await session.state
        guard state == .ready else {
            switch state {
            case .needsRecovery, .down: startRecovery()
            case .closed, .ready, .shutDown: break
            }
            return .unavailable(reason: "modem not ready: \(state)")
        }
        let pdus: [EncodedPDU]
        let number: PhoneNumber
        do {
            number = try PhoneNumber(e164: message.recipient)
            pdus = try SMSSubmit.pdus(
                for: message.text,
                to: number.tpAddress,
                options: SMSSubmit.Options(statusReportRequest: sendsDeliveryReports, smsc: .useStored),
                planning: SegmentPlanner.Options(reference: UInt16(truncatingIfNeeded: message.messageID))
            )
        } catch {
            return .recipientError(reason: "message cannot be encoded as SMS-SUBMIT: \(error)")
        }

        var reference = 0
        for (index, pdu) in pdus.enumerated() {
            do {
                reference = try await session.send(pdu: pdu.bytes, tpduLength: pdu.tpduLength)
            } catch {
                let outcome = outcome(for: error)
                guard index == 0 else {
                    return .ambiguous(reason: "part \(index + 1) of \(pdus.count) failed after earlier parts were sent: \(error)")
                }
                return outcome
            }
        }
        return .accepted(providerMessageID: ModemProvider.reportKey(reference: reference, recipientDigits: number.digits))
    }

    public func probe() async -> ProbeResult {
        switch await session.state {
        case .needsRecovery, .down:
            let recovery = await session.recover()
            logger.debug("Modem recovery ran", metadata: ["modem.recovery": "\(recovery)"])
        case .closed:
            await ModemProvider.initialise(session, logger: logger)
        case .ready, .shutDown:
            break
        }
        let status = await session.probe()
        lastRadio.set(ModemProvider.radio(of: status))
        return status.isHealthy ? .healthy : .unhealthy(reason: status.diagnosis.joined(separator: "; "))
    }

    /// Signal and registration from the latest `probe()`; `nil` before the first.
    public var radio: ModemRadio? { lastRadio.get() }

    /// Returns the radio fields of a probe. A modem that did not respond reports neither.
    static func radio(of status: ModemStatus) -> ModemRadio {
        let registration: ModemRadio.Registration? =
            switch status.registration {
            case .notRegistered?: .notRegistered
            case .home?: .home
            case .searching?: .searching
            case .denied?: .denied
            case .unknown?: .unknown
            case .roaming?: .roaming
            case nil: nil
            }
        return ModemRadio(signalDBm: status.signalDBm, registration: registration)
    }

    /// Runs `session.recover()` on a task of its own unless one started here is still running.
    private func startRecovery() {
        let started = recovering.withLock { running -> Bool in
            if running { return false }
            running = true
            return true
        }
        guard started else { return }
        Task { [session, logger, recovering] in
            let recovery = await session.recover()
            logger.debug("Modem recovery ran after a send found it lost", metadata: ["modem.recovery": "\(recovery)"])
            recovering.set(false)
        }
    }

    public func waitUntilReady(timeout: Duration) async {
        await waitUntil(timeout: timeout) { await session.state == .ready }
    }

    public func stop() async {
        initialiseTask.get()?.cancel()
        await session.close()
        eventTask.get()?.cancel()
    }

    /// Maps a failed `AT+CMGS` to the failover table. No answer means the PDU may have left.
    func outcome(for error: ModemError) -> SendOutcome {
        if case .noAnswer = error {
            return .ambiguous(reason: "modem did not answer AT+CMGS: \(error)")
        }
        switch error.errorClass {
        case .recipientError: return .recipientError(reason: "modem: \(error)")
        case .transient, .badRequest, .configuration, .providerUnavailable, .unknown:
            return .unavailable(reason: "modem: \(error)")
        }
    }

    static func reportKey(reference: Int, recipientDigits: String) -> String {
        "\(reference):\(recipientDigits)"
    }

    /// Deletes each stored part from the modem. A failure is logged and leaves that part stored,
    /// so the next start reads it again.
    /// NOTE: a part left alone that way, or any part whose message never completes, is held in
    /// memory until it expires and stays on the SIM after that, taking a slot until removed by hand.
    private static func deleteStored(_ locations: [InboundAssembly.Location], from session: ModemSession, logger: Logger) async {
        for location in locations {
            do {
                try await session.deleteStored(index: location.index, memory: location.memory)
            } catch {
                logger.warning(
                    "Stored inbound part not deleted",
                    metadata: ["modem.storage": location.memory, "modem.index": "\(location.index)", "error": "\(error)"]
                )
            }
        }
    }

    private static func initialise(_ session: ModemSession, logger: Logger) async {
        do {
            try await session.initialise()
            logger.info("Modem ready")
        } catch {
            logger.warning("Modem initialisation failed", metadata: ["error": "\(error)"])
        }
    }

    private static func handle(
        _ event: ModemEvent,
        providerID: String,
        reports: DeliveryReportHandler,
        logger: Logger
    ) async {
        switch event {
        case .statusReport(let stored):
            guard let report = deliveryReport(from: stored.pduHex, providerID: providerID, logger: logger) else { return }
            await reports(report)
        case .modemLost(let reason):
            logger.warning("Modem lost", metadata: ["reason": reason])
        case .modemRecovered(let step):
            logger.notice("Modem recovered", metadata: ["modem.recovery": "\(step)"])
        case .modemDown(let reason):
            logger.error("Modem down", metadata: ["reason": reason])
        case .portFound(let path):
            logger.notice("Modem found", metadata: ["modem.path": path])
        case .recoveryStep(let step):
            logger.info("Modem recovery step", metadata: ["modem.recovery.step": step.description])
        case .inboundMessage:
            // Handled by the event loop, which owns the reassembly state.
            break
        }
    }

    /// Decodes an SMS-STATUS-REPORT (with its SMSC field) into a delivery report.
    static func deliveryReport(from pduHex: String, providerID: String, logger: Logger) -> DeliveryReport? {
        let decoded: DecodedTPDU
        do {
            decoded = try TPDUDecoder.decode(hex: pduHex, hasSMSC: true)
        } catch {
            logger.warning("Status report unreadable", metadata: ["error": "\(error)"])
            return nil
        }
        guard case .statusReport(let report) = decoded.tpdu else {
            logger.warning("Status report event carried another TPDU type", metadata: ["tpdu": decoded.tpdu.typeName])
            return nil
        }
        let status: DeliveryReport.Status =
            report.status.isDelivered ? .delivered : (report.status.isFinal ? .undelivered : .pending)
        let hexStatus = String(report.status.rawValue, radix: 16, uppercase: true)
        return DeliveryReport(
            providerID: providerID,
            providerMessageID: reportKey(
                reference: Int(report.messageReference),
                recipientDigits: report.recipientAddress.value.filter(\.isASCIIDigit)
            ),
            status: status,
            reason: "TP-ST 0x\(hexStatus.count == 1 ? "0" + hexStatus : hexStatus): \(report.status.meaning)"
        )
    }
}

/// Decodes received SMS-DELIVER PDUs and joins concatenated ones. Owned by one event loop.
struct InboundAssembly {
    /// The storage place of a part read from the modem, kept until the part is deleted there.
    struct Location: Sendable, Hashable {
        var memory: String
        var index: Int
    }

    /// The result of adding one PDU.
    enum Outcome: Sendable {
        /// The part waits for the rest of its message.
        case held
        /// The PDU is unreadable or no SMS-DELIVER; its location (if stored) may be deleted.
        case unreadable([Location])
        /// A message is complete; `locations` are its stored parts, to delete once it is kept.
        case complete(InboundMessage, locations: [Location])
    }

    let providerID: String
    let logger: Logger
    private var reassembler = ConcatenationReassembler()
    /// The TP-SCTS of the first part seen of each message still waiting for parts.
    private var firstTimestamps: [String: Date] = [:]
    /// The stored parts of each message still waiting for parts.
    private var pendingLocations: [String: [Location]] = [:]

    init(providerID: String, logger: Logger) {
        self.providerID = providerID
        self.logger = logger
    }

    /// Adds one received PDU; returns the message it completes with the stored locations of all
    /// its parts, `.held` when a part is missing, or `.unreadable` for a PDU that is unreadable
    /// or no SMS-DELIVER (logged).
    mutating func add(_ pdu: ModemInboundPDU, now: Date) -> Outcome {
        dropExpired(now: now)
        var locations: [Location] = []
        if let memory = pdu.storage, let index = pdu.index {
            locations.append(Location(memory: memory, index: index))
        }
        guard let deliver = decode(pdu) else { return .unreadable(locations) }

        let part = ConcatenationReassembler.Part(deliver: deliver, receivedAt: now)
        let timestamp = deliver.serviceCentreTimestamp.date
        if let info = part.concatenation {
            let key = Self.key(part.sender, info)
            firstTimestamps[key] = min(firstTimestamps[key] ?? timestamp, timestamp)
            pendingLocations[key, default: []].append(contentsOf: locations)
        }
        guard let assembled = reassembler.receive(part) else {
            logger.debug("Inbound part held for the rest", metadata: ["inbound.pending": "\(reassembler.pendingCount)"])
            return .held
        }
        var smscTimestamp = timestamp
        if let info = assembled.concatenation {
            let key = Self.key(assembled.sender, info)
            smscTimestamp = firstTimestamps.removeValue(forKey: key) ?? timestamp
            locations = pendingLocations.removeValue(forKey: key) ?? locations
        }

        let text: String
        do {
            text = try assembled.text() ?? ""
        } catch {
            logger.warning("Inbound text undecodable; stored empty", metadata: ["error": "\(error)"])
            text = ""
        }
        logger.debug(
            "Inbound message received",
            metadata: ["inbound.sender": redactedPhoneNumber(assembled.sender), "inbound.parts": "\(assembled.partCount)"]
        )
        let message = InboundMessage(
            receivedAt: now,
            providerID: providerID,
            sender: assembled.sender,
            text: text,
            smscTimestamp: smscTimestamp,
            parts: assembled.partCount
        )
        return .complete(message, locations: locations)
    }

    /// Drops messages whose parts did not all arrive in time, with a warning for each.
    private mutating func dropExpired(now: Date) {
        for expired in reassembler.expire(now: now) {
            let key = Self.key(expired.sender, expired.concatenation)
            firstTimestamps[key] = nil
            // The parts read from storage stay there; the next start lists them again.
            pendingLocations[key] = nil
            logger.warning(
                "Inbound message dropped: parts missing",
                metadata: [
                    "inbound.sender": redactedPhoneNumber(expired.sender),
                    "inbound.parts.missing": "\(expired.missingSequenceNumbers.count)",
                ]
            )
        }
    }

    /// Decodes an SMS-DELIVER; logs and returns `nil` for anything else.
    private func decode(_ pdu: ModemInboundPDU) -> SMSDeliver? {
        do {
            guard case .deliver(let deliver) = try TPDUDecoder.decode(hex: pdu.pduHex, hasSMSC: true).tpdu else {
                logger.warning("Inbound PDU is no SMS-DELIVER; ignored")
                return nil
            }
            return deliver
        } catch {
            logger.warning("Inbound PDU unreadable; ignored", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private static func key(_ sender: String, _ info: ConcatenationInfo) -> String {
        "\(sender)|\(info.referenceWidth.rawValue)|\(info.reference)|\(info.totalParts)"
    }
}
