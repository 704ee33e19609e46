import Config
import Diagnostics
import Foundation
import SMPP
import SMSCodec
import Store

/// An SMPP 3.4 carrier link in the pool: one `ESMEClient` that binds, re-binds after a drop, and
/// reports delivery receipts.
///
/// A long text goes out as several `submit_sm` with a concatenation UDH (`esm_class` 0x40). The
/// message counts as accepted when every part is; its provider message id is the last part's,
/// so the last part's receipt decides the message's state.
/// NOTE: receipts of the earlier parts are reported too and counted as unknown ids by the tracker.
public final class SMPPProvider: Provider {
    public let id: String
    public var sendsDeliveryReports: Bool { client.settings.registeredDelivery & 0x03 != 0 }

    let client: ESMEClient
    let packing: SMPPSettings.GSMPacking
    let logger: Logger
    private let eventTask = LockedValue<Task<Void, Never>?>(nil)
    /// The encoded short message of the latest text that fits one segment. A broadcast sends one
    /// text to thousands of recipients, so the text is planned and encoded once, not per message.
    private let lastSingleSegment = LockedValue<SingleSegment?>(nil)

    /// - Throws: `SMPPLinkSettingsError` for settings SMPP 3.4 does not allow.
    public init(id: String, settings: SMPPSettings, logger: Logger) throws {
        self.id = id
        var logger = logger
        logger[metadataKey: "provider.id"] = id
        self.logger = logger
        self.packing = settings.dataCodingGSM
        self.client = try ESMEClient(settings: SMPPProvider.linkSettings(settings), logger: logger)
    }

    public func start(reports: @escaping DeliveryReportHandler) async {
        let providerID = id
        let logger = logger
        let task = Task { [client] in
            await SMPPProvider.handleEvents(client.events, providerID: providerID, reports: reports, logger: logger)
        }
        eventTask.set(task)
        await client.start()
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

    public func probe() async -> ProbeResult {
        if await client.probe() { return .healthy }
        let reason = await client.linkDownReason.map { "\($0)" } ?? "enquire_link not answered"
        return .unhealthy(reason: "SMPP link down: \(reason)")
    }

    public func waitUntilReady(timeout: Duration) async {
        await waitUntil(timeout: timeout) { await client.isBound }
    }

    public func stop() async {
        await client.stop()
        eventTask.get()?.cancel()
    }

    private func submitOne(_ submit: SubmitSM) async -> SendOutcome {
        do {
            switch try await client.submit(submit) {
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

    /// Builds one `submit_sm` per segment, with the destination as TON 1 / NPI 1 digits without '+'.
    func makeSubmits(for message: OutboundSMS) throws -> [SubmitSM] {
        let number = try PhoneNumber(e164: message.recipient)
        if let single = lastSingleSegment.get(), single.text == message.text {
            return [
                client.settings.makeSubmitSM(
                    destination: number.smppAddress.address,
                    shortMessage: single.shortMessage,
                    dataCoding: single.dataCoding,
                    esmClass: 0x00
                )
            ]
        }
        let plan = try SegmentPlanner.plan(
            message.text,
            options: SegmentPlanner.Options(reference: UInt16(truncatingIfNeeded: message.messageID))
        )
        let multipart = plan.segments.count > 1
        return plan.segments.map { segment in
            let userData = segment.encoding == .gsm7 && packing == .packed ? segment.packedUserData : segment.unpackedUserData
            // A single segment has no concatenation header, so nothing in it depends on the message.
            if !multipart {
                lastSingleSegment.set(SingleSegment(text: message.text, shortMessage: userData, dataCoding: plan.dataCoding))
            }
            return client.settings.makeSubmitSM(
                destination: number.smppAddress.address,
                shortMessage: userData,
                dataCoding: plan.dataCoding,
                esmClass: multipart ? 0x40 : 0x00
            )
        }
    }

    /// Receipts handled at once. Each waits for the store, so handling them one by one would cap
    /// receipts below the submit rate and let them pile up in memory.
    static let concurrentReceipts = 32

    /// Handles the link's events: link changes in order, receipts up to `concurrentReceipts` at a
    /// time, and the receipts of one message id still one after the other, in arrival order.
    private static func handleEvents(
        _ events: AsyncStream<SMPPLinkEvent>,
        providerID: String,
        reports: @escaping DeliveryReportHandler,
        logger: Logger
    ) async {
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
                guard case .deliveryReceipt(_, let key) = event else {
                    await handle(event, providerID: providerID, reports: reports, logger: logger)
                    continue
                }
                while running > 0, running >= concurrentReceipts || keysInFlight[key] != nil {
                    await collectOne()
                }
                running += 1
                keysInFlight[key, default: 0] += 1
                group.addTask {
                    await handle(event, providerID: providerID, reports: reports, logger: logger)
                    return key
                }
            }
            while running > 0 { await collectOne() }
        }
    }

    private static func handle(
        _ event: SMPPLinkEvent,
        providerID: String,
        reports: DeliveryReportHandler,
        logger: Logger
    ) async {
        switch event {
        case .bound(let smscSystemID, let mode):
            logger.info("SMPP link bound", metadata: ["smpp.smsc": smscSystemID, "smpp.bind": "\(mode)"])
        case .linkDown(let reason):
            logger.warning("SMPP link down", metadata: ["reason": "\(reason)"])
        case .reconnectScheduled(let delay, let attempt):
            logger.debug("SMPP reconnect scheduled", metadata: ["delay": "\(delay)", "attempt": "\(attempt)"])
        case .deliveryReceipt(let receipt, let key):
            await reports(DeliveryReport(
                providerID: providerID,
                providerMessageID: key,
                status: status(of: receipt),
                reason: receiptReason(receipt)
            ))
        case .unreadableReceipt(_, let error):
            logger.warning("SMPP receipt unreadable", metadata: ["error": "\(error)"])
        case .inboundMessage:
            logger.debug("SMPP inbound message received")
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
        return SMPPLinkSettings(
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
            messageIDMatching: idMatching(settings.messageIDFormat)
        )
    }

    private static func bindMode(_ mode: SMPPSettings.BindMode) -> BindMode {
        switch mode {
        case .transceiver: .transceiver
        case .transmitter: .transmitter
        case .receiver: .receiver
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

/// A text that fits one segment, with its encoded `short_message` and `data_coding`.
struct SingleSegment: Sendable {
    var text: String
    var shortMessage: [UInt8]
    var dataCoding: UInt8
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
