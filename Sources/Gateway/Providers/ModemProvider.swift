import ATModem
import Config
import Diagnostics
import Foundation
import SMSCodec

/// A GSM modem in the pool: one `ModemSession` sending SMS-SUBMIT PDUs with `AT+CMGS`, one message
/// at a time, and turning `+CDS` status reports into delivery reports.
///
/// A status report is matched to its message by TP-MR plus recipient, so the provider message id
/// is `"<TP-MR>:<recipient digits>"` of the last part. TP-MR wraps after 256 messages; the store
/// resolves a repeat to the newest message with that id.
public final class ModemProvider: Provider {
    public let id: String
    public let sendsDeliveryReports: Bool

    let session: ModemSession
    let logger: Logger
    private let eventTask = LockedValue<Task<Void, Never>?>(nil)
    private let initialiseTask = LockedValue<Task<Void, Never>?>(nil)
    /// Whether a recovery started by `send` is running, so that at most one runs at a time.
    private let recovering = LockedValue(false)

    public init(id: String, settings: ModemSettings, logger: Logger) {
        self.id = id
        var logger = logger
        logger[metadataKey: "provider.id"] = id
        self.logger = logger
        self.sendsDeliveryReports = settings.statusReports
        self.session = ModemSession(
            devicePath: settings.device,
            baudRate: settings.baud,
            pin: settings.pin?.revealed,
            logger: logger
        )
    }

    public func start(reports: @escaping DeliveryReportHandler) async {
        let providerID = id
        let logger = logger
        eventTask.set(Task { [session] in
            for await event in session.events {
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
        return status.isHealthy ? .healthy : .unhealthy(reason: status.diagnosis.joined(separator: "; "))
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
        case .inboundMessageStored, .inboundMessage:
            logger.debug("Modem inbound message notice")
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
