import Config
import Diagnostics
import Foundation
import SMPP
import SMSCodec
import Store

/// Receives each complete inbound SMS (mobile originated) from an SMPP link and returns whether
/// it is stored. When it is not, the response asks the SMSC to send it again.
public typealias InboundSMSHandler = @Sendable (InboundSMS) async -> Bool

/// Handles one delivery receipt and calls the closure with whether it is stored, at once or
/// later (see `DeliveryTracker.handle(_:settled:)`).
public typealias StoringReportHandler = @Sendable (DeliveryReport, @escaping DeliveryTracker.Settle) async -> Void

/// An SMPP 3.4 carrier link in the pool: an `SMPPLink` (one transceiver session, or a
/// transmitter and a receiver, plus outbind sessions when configured) that binds, re-binds after
/// a drop, and reports delivery receipts and inbound SMS.
///
/// A long text goes out in the link's `long_messages` form: several `submit_sm` with a
/// concatenation UDH or with SAR parameters, or one with `message_payload`. A multipart message
/// counts as accepted when every part is. Its provider message id is the last part's, so the
/// last part's receipt decides the message's state.
/// NOTE: receipts of the earlier parts are reported too and counted as unknown ids by the tracker.
///
/// A `deliver_sm` is answered after what it carried is handled. A receipt goes to `onReceipt`
/// when set (else to the `reports` handler of `start(reports:)`), and a complete inbound SMS,
/// logged at info with the sender redacted, to `onInbound` (without a handler it is only logged).
/// When the handler says it could not store it, the answer is `ESME_RX_T_APPN` (0x64, "the
/// receiver temporarily cannot handle the message"), the status SMPP 3.4 gives for a temporary
/// failure of the receiving application, so the SMSC sends it again. Parts of an inbound SMS
/// before the last are answered when they are kept in memory to be joined.
public final class SMPPProvider: Provider {
    public let id: String
    public var sendsDeliveryReports: Bool { link.settings.registeredDelivery & 0x03 != 0 }

    let link: SMPPLink
    let packing: SMPPSettings.GSMPacking
    let logger: Logger
    private let eventTask = LockedValue<Task<Void, Never>?>(nil)
    private let inboundHandler = LockedValue<InboundSMSHandler?>(nil)
    private let receiptHandler = LockedValue<StoringReportHandler?>(nil)
    /// The `submit_sm` of the latest text that fits one segment. A broadcast sends one text to
    /// thousands of recipients, so the text is planned and encoded once, not per message.
    private let lastSingleSegment = LockedValue<SingleSegment?>(nil)

    /// The handler for complete inbound SMS. Set it before `start(reports:)` so that none is missed.
    public var onInbound: InboundSMSHandler? {
        get { inboundHandler.get() }
        set { inboundHandler.set(newValue) }
    }

    /// The handler that stores each receipt and reports whether it did. Set it before
    /// `start(reports:)`. Without one, receipts go to the `reports` handler and get an OK response.
    public var onReceipt: StoringReportHandler? {
        get { receiptHandler.get() }
        set { receiptHandler.set(newValue) }
    }

    /// - Throws: `SMPPLinkSettingsError` for settings SMPP 3.4 does not allow.
    public init(id: String, settings: SMPPSettings, logger: Logger) throws {
        self.id = id
        var logger = logger
        logger[metadataKey: "provider.id"] = id
        self.logger = logger
        self.packing = settings.dataCodingGSM
        self.link = try SMPPLink(settings: SMPPProvider.linkSettings(settings), logger: logger)
    }

    public func start(reports: @escaping DeliveryReportHandler) async {
        let providerID = id
        let logger = logger
        let inboundHandler = inboundHandler
        let receiptHandler = receiptHandler
        let storingReports: StoringReportHandler = { report, settled in
            guard let handler = receiptHandler.get() else {
                await reports(report)
                settled(true)
                return
            }
            await handler(report, settled)
        }
        let task = Task { [link] in
            await SMPPProvider.handleEvents(
                link,
                providerID: providerID,
                reports: storingReports,
                inbound: { inboundHandler.get() },
                logger: logger
            )
        }
        eventTask.set(task)
        if let tls = link.settings.tls, !tls.verifiesPeer {
            logger.warning(
                "SMPP TLS certificate checking is OFF (verify: false): anyone on the path can read and change "
                    + "this link's traffic, password included; set ca_file and remove verify: false",
                metadata: ["smpp.peer": "\(link.settings.host):\(link.settings.port)"]
            )
        }
        do {
            try await link.start()
        } catch {
            logger.error(
                "SMPP outbind port failed to open, so outbinds are rejected; free the port or change outbind_port",
                metadata: ["smpp.outbind_port": "\(link.settings.outbindListener?.port ?? 0)", "error": "\(error)"]
            )
        }
    }

    public func send(_ message: OutboundSMS) async -> SendOutcome {
        let submits: [SubmitSM]
        do {
            submits = try makeSubmits(for: message)
        } catch {
            return .recipientError(reason: "message cannot be encoded for SMPP: \(error)")
        }
        var messageIDKey = ""
        for (index, submit) in submits.enumerated() {
            let outcome = await submitOne(submit)
            switch outcome {
            case .accepted(let key):
                messageIDKey = key
            default:
                // Parts already accepted have left: a later failure makes the whole message ambiguous.
                guard index == 0 else {
                    return .ambiguous(reason: "part \(index + 1) of \(submits.count) failed after earlier parts were accepted: \(outcome.reason ?? "")")
                }
                return outcome
            }
        }
        return .accepted(providerMessageID: messageIDKey)
    }

    /// Probes the submitting session with `enquire_link`.
    ///
    /// A separate receiver that is down does not make the provider unhealthy, so its breaker stays
    /// closed: submits still work, and opening the breaker would stop the one path that does while
    /// doing nothing for receipts. Messages sent meanwhile keep their delivery deadline (the
    /// provider still counts as one that sends reports), so a receipt that never comes re-routes
    /// the message as for any lost receipt. The receiver's state shows in `receiverStatus`.
    public func probe() async -> ProbeResult {
        if await link.probe() { return .healthy }
        let reason = await link.linkDownReason.map { "\($0)" } ?? "enquire_link not answered"
        return .unhealthy(reason: "SMPP link down: \(reason)")
    }

    public func waitUntilReady(timeout: Duration) async {
        await waitUntil(timeout: timeout) { await link.isBound }
    }

    public func stop() async {
        await link.stop()
        eventTask.get()?.cancel()
    }

    private func submitOne(_ submit: SubmitSM) async -> SendOutcome {
        do {
            switch try await link.submit(submit) {
            case .accepted(_, let key):
                return .accepted(providerMessageID: key)
            case .rejected(let status):
                return SMPPProvider.outcome(for: status)
            case .ambiguous(let reason):
                return .ambiguous(reason: "SMPP \(reason)")
            }
        } catch {
            switch error {
            case .notBound(let reason):
                return .unavailable(reason: "SMPP link not bound" + (reason.map { ": \($0)" } ?? ""))
            case .invalidSubmit(let cause):
                return .recipientError(reason: "invalid submit_sm: \(cause)")
            }
        }
    }

    static func outcome(for status: CommandStatus) -> SendOutcome {
        switch status.failoverClass {
        case .ok: .unavailable(reason: "SMPP answered OK without a message id")
        case .recipientError: .recipientError(reason: "SMPP \(status)")
        case .throttled: .throttled(retryAfter: nil, reason: "SMPP \(status)")
        case .providerUnavailable, .unknown: .unavailable(reason: "SMPP \(status)")
        }
    }

    /// Builds the `submit_sm`s of one message in the link's long-message form, with the
    /// destination as TON 1 / NPI 1 digits without '+'.
    func makeSubmits(for message: OutboundSMS) throws -> [SubmitSM] {
        let number = try PhoneNumber(e164: message.recipient)
        if let single = lastSingleSegment.get(), single.text == message.text {
            var submit = single.submit
            submit.destinationAddress = number.smppAddress.address
            return [submit]
        }
        let submits = try link.settings.makeSubmits(
            destination: number.smppAddress.address,
            text: message.text,
            reference: UInt16(truncatingIfNeeded: message.messageID),
            packsGSM: packing == .packed
        )
        // A single segment carries no concatenation header or reference, so nothing in it but the
        // destination depends on the message.
        if submits.count == 1 {
            lastSingleSegment.set(SingleSegment(text: message.text, submit: submits[0]))
        }
        return submits
    }

    /// Receipts handled at once. Each waits for the store, so handling them one by one would cap
    /// receipts below the submit rate and let them pile up in memory.
    static let concurrentReceipts = 32

    /// Handles the link's events: link changes in order, receipts up to `concurrentReceipts` at a
    /// time, and the receipts of one message id still one after the other, in arrival order.
    private static func handleEvents(
        _ link: SMPPLink,
        providerID: String,
        reports: @escaping StoringReportHandler,
        inbound: @escaping @Sendable () -> InboundSMSHandler?,
        logger: Logger
    ) async {
        let events = link.events
        let receiverAlarm = LockedValue(false)
        await withTaskGroup(of: String.self) { group in
            var running = 0
            var keysInFlight: [String: Int] = [:]
            func collectOne() async {
                guard let key = await group.next() else { return }
                running -= 1
                keysInFlight[key, default: 1] -= 1
                if keysInFlight[key] == 0 { keysInFlight[key] = nil }
            }
            for await event in events {
                guard case .deliveryReceipt(_, let key, _) = event else {
                    await handle(
                        event,
                        providerID: providerID,
                        reports: reports,
                        inbound: inbound(),
                        link: link,
                        receiverAlarm: receiverAlarm,
                        logger: logger
                    )
                    continue
                }
                while running > 0, running >= concurrentReceipts || keysInFlight[key] != nil {
                    await collectOne()
                }
                running += 1
                keysInFlight[key, default: 0] += 1
                group.addTask {
                    await handle(
                        event,
                        providerID: providerID,
                        reports: reports,
                        inbound: nil,
                        link: link,
                        receiverAlarm: receiverAlarm,
                        logger: logger
                    )
                    return key
                }
            }
            while running > 0 { await collectOne() }
        }
    }

    private static func handle(
        _ event: SMPPLinkEvent,
        providerID: String,
        reports: StoringReportHandler,
        inbound: InboundSMSHandler?,
        link: SMPPLink,
        receiverAlarm: LockedValue<Bool>,
        logger: Logger
    ) async {
        switch event {
        case .bound(let smscSystemID, let mode):
            logger.info("SMPP link bound", metadata: ["smpp.smsc": smscSystemID, "smpp.bind": "\(mode)"])
            if mode == .receiver, receiverAlarm.get(), await link.receiverStatus?.isBound == true {
                receiverAlarm.set(false)
                logger.notice("SMPP receiver session bound again; delivery receipts and inbound SMS arrive again")
            }
        case .linkDown(let reason):
            if case .bindRejected(let status) = reason, status == .invalidCommandID || status == .bindFailed {
                logger.warning(
                    "SMPP bind rejected; if the SMSC does not support this bind command, set bind: transmitter_receiver",
                    metadata: ["reason": "\(reason)"]
                )
            } else {
                logger.warning("SMPP link down", metadata: ["reason": "\(reason)"])
            }
        case .receiverSessionDown(let reason):
            // Warn once per outage; the failed re-binds that follow are only worth a debug line.
            guard !receiverAlarm.get() else {
                logger.debug("SMPP receiver session still down", metadata: ["reason": "\(reason)"])
                return
            }
            receiverAlarm.set(true)
            logger.warning(
                "SMPP receiver session down: delivery receipts and inbound SMS are not arriving until it binds "
                    + "again; submits continue, and messages without a receipt are re-routed at their delivery deadline",
                metadata: ["reason": "\(reason)"]
            )
        case .outbindSessionDown(let reason):
            logger.debug("SMPP outbind session ended", metadata: ["reason": "\(reason)"])
        case .outbindRejected(let peer, let smscSystemID, let reason):
            logger.warning(
                "SMPP outbind rejected and its connection closed: the system_id or password is not this link's",
                metadata: ["smpp.peer": peer, "smpp.outbind_system_id": smscSystemID, "reason": reason]
            )
        case .outbindIgnored(let smscSystemID):
            logger.warning(
                "SMPP outbind received and ignored: this link does not listen for outbinds; set outbind_port to accept them",
                metadata: ["smpp.smsc": smscSystemID]
            )
        case .reconnectScheduled(let delay, let attempt):
            logger.debug("SMPP reconnect scheduled", metadata: ["delay": "\(delay)", "attempt": "\(attempt)"])
        case .deliveryReceipt(let receipt, let key, let responder):
            let report = DeliveryReport(
                providerID: providerID,
                providerMessageID: key,
                status: status(of: receipt),
                reason: receiptReason(receipt),
                recipient: receipt.sourceAddress,
                textPrefix: receipt.text
            )
            await reports(report) { stored in responder.respond(stored ? .ok : .receiverTemporaryError) }
        case .unreadableReceipt(_, let error):
            logger.warning("SMPP receipt unreadable", metadata: ["error": "\(error)"])
        case .inboundMessage:
            // Parts; SMPPLink reports the joined message as inboundSMS.
            break
        case .inboundSMS(let message, let responder):
            logger.info(
                "SMPP inbound SMS",
                metadata: [
                    "smpp.source": redactedPhoneNumber(message.sender),
                    "smpp.parts": "\(message.partCount)",
                ]
            )
            let stored = await inbound?(message) ?? true
            responder.respond(stored ? .ok : .receiverTemporaryError)
        }
    }

    private static func status(of receipt: DeliveryReceipt) -> DeliveryReport.Status {
        switch receipt.status {
        case .delivered: .delivered
        case .undelivered: .undelivered
        case .pending, .unknown: .pending
        }
    }

    private static func receiptReason(_ receipt: DeliveryReceipt) -> String {
        var parts = ["stat:\(receipt.stat ?? "-")"]
        if let error = receipt.error { parts.append("err:\(error)") }
        if let code = receipt.networkErrorCode { parts.append("network_error_code:\(code)") }
        return parts.joined(separator: " ")
    }

    static func linkSettings(_ settings: SMPPSettings) -> SMPPLinkSettings {
        let source = SourceAddress(settings.source ?? "")
        var link = SMPPLinkSettings(
            host: settings.host,
            port: UInt16(clamping: settings.port),
            systemID: settings.systemID,
            password: settings.password.revealed,
            systemType: settings.systemType,
            bindMode: bindMode(settings.bind),
            windowSize: settings.window,
            enquireLinkInterval: settings.enquireLink,
            responseTimeout: settings.responseTimeout,
            sourceAddress: source.address,
            sourceAddressTON: source.typeOfNumber,
            sourceAddressNPI: source.numberingPlan,
            registeredDelivery: 1,
            allowNonstandardPasswordLength: settings.allowLongPassword,
            messageIDMatching: idMatching(settings.messageIDFormat),
            tls: settings.tls ? SMPPTLSSettings(caFile: settings.caFile, verifiesPeer: settings.verify) : nil,
            longMessages: longMessageMode(settings.longMessages),
            packsGSM: settings.dataCodingGSM == .packed,
            bindsTransmitterAndReceiver: settings.bind == .transmitterReceiver,
            outbindListener: settings.outbindPort.map {
                SMPPOutbindListener(
                    address: settings.outbindAddress,
                    port: UInt16(clamping: $0),
                    systemID: settings.outbindSystemID
                )
            }
        )
        // Receipts and inbound SMS get their response once stored, so none is lost with the process.
        link.defersDeliverResponse = true
        return link
    }

    private static func bindMode(_ mode: SMPPSettings.BindMode) -> BindMode {
        switch mode {
        case .transceiver: .transceiver
        case .transmitter, .transmitterReceiver: .transmitter
        case .receiver: .receiver
        }
    }

    private static func longMessageMode(_ mode: SMPPSettings.LongMessages) -> LongMessageMode {
        switch mode {
        case .udh: .udh
        case .sar: .sar
        case .payload: .payload
        }
    }

    /// `hex`: the SMSC writes ids in hex in `submit_sm_resp` and in decimal in receipts;
    /// `decimal` is the reverse. Both are compared as numbers, leading zeros ignored.
    private static func idMatching(_ format: SMPPSettings.MessageIDFormat) -> MessageIDMatching {
        switch format {
        case .asIs: .asIs
        case .hex: MessageIDMatching(submitResponse: .hexadecimal, receipt: .decimal)
        case .decimal: MessageIDMatching(submitResponse: .decimal, receipt: .hexadecimal)
        }
    }
}

/// A text that fits one segment, with its encoded `submit_sm`.
struct SingleSegment: Sendable {
    var text: String
    var submit: SubmitSM
}

/// The link's `source_addr` with its TON and NPI: alphanumeric (5/0), international (1/1) or
/// a short code or national number (0/1).
struct SourceAddress {
    var address: String
    var typeOfNumber: UInt8
    var numberingPlan: UInt8

    init(_ text: String) {
        if text.isEmpty {
            self.init(address: "", typeOfNumber: 0, numberingPlan: 0)
        } else if text.hasPrefix("+") {
            self.init(address: String(text.dropFirst()), typeOfNumber: 1, numberingPlan: 1)
        } else if text.allSatisfy(\.isASCIIDigit) {
            self.init(address: text, typeOfNumber: 0, numberingPlan: 1)
        } else {
            self.init(address: text, typeOfNumber: 5, numberingPlan: 0)
        }
    }

    init(address: String, typeOfNumber: UInt8, numberingPlan: UInt8) {
        self.address = address
        self.typeOfNumber = typeOfNumber
        self.numberingPlan = numberingPlan
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
