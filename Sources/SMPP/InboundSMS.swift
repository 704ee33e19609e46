import Foundation
import SMSCodec

/// A complete inbound SMS (mobile originated) from an SMPP link, its parts joined.
public struct InboundSMS: Equatable, Sendable {
    /// `source_addr` of the parts: the handset's number as the SMSC wrote it (digits without `+`
    /// for TON 1), or an alphanumeric name.
    public var sender: String
    /// `source_addr_ton` of the first part received.
    public var senderTON: UInt8
    /// `destination_addr`: the short code or number the handset sent to.
    public var recipient: String
    /// `data_coding` of the first part received.
    public var dataCoding: UInt8
    /// The decoded text; `nil` for 8-bit data or UCS-2 that does not decode.
    public var text: String?
    /// The joined payload without headers: GSM 7-bit as one septet per octet, otherwise as sent.
    public var payload: [UInt8]
    /// How many `deliver_sm` carried it: 1 for a single SMS or a `message_payload`.
    public var partCount: Int
    /// When its first part arrived.
    public var receivedAt: Date

    public init(
        sender: String,
        senderTON: UInt8,
        recipient: String,
        dataCoding: UInt8,
        text: String?,
        payload: [UInt8],
        partCount: Int,
        receivedAt: Date
    ) {
        self.sender = sender
        self.senderTON = senderTON
        self.recipient = recipient
        self.dataCoding = dataCoding
        self.text = text
        self.payload = payload
        self.partCount = partCount
        self.receivedAt = receivedAt
    }
}

/// Joins the `deliver_sm` parts of inbound SMS into whole messages, whether the parts carry a
/// concatenation UDH (`esm_class` 0x40) or the SAR parameters, and reads `message_payload`.
///
/// Built on `ConcatenationReassembler`, so its rules hold: parts in any order, grouped by sender
/// and reference, duplicates dropped, and a message whose first part is `timeout` old dropped by
/// `expire(now:)`, which the owner calls on its own schedule. GSM 7-bit text (`data_coding` 0, the
/// SMSC default alphabet) is read as one septet per octet, the common form on SMPP links, or, with
/// `packsGSM`, as septets packed into octets (`GSMSeptetUnpacking`). A UDH that runs past the
/// `short_message` is not trusted: the part is handed over alone, as received, so nothing is lost.
/// Pure: no clock, no I/O.
public struct InboundSMSAssembler: Sendable {
    /// Whether GSM 7-bit text arrives packed (the link's `data_coding_gsm: packed`).
    public let packsGSM: Bool
    private var reassembler: ConcatenationReassembler
    /// Sender type of number and recipient of messages waiting for parts, by sender.
    private var addressing: [String: (ton: UInt8, recipient: String, dataCoding: UInt8)] = [:]

    /// - Parameters:
    ///   - timeout: how long the first part of a message waits for the rest; 10 minutes by
    ///     default, as for modems.
    ///   - packsGSM: whether the SMSC packs GSM 7-bit septets into octets; false by default.
    public init(timeout: TimeInterval = 600, packsGSM: Bool = false) {
        self.packsGSM = packsGSM
        reassembler = ConcatenationReassembler(timeout: timeout)
    }

    /// How many messages wait for parts.
    public var pendingCount: Int { reassembler.pendingCount }

    /// Adds one inbound `deliver_sm`; returns the message when it completes one.
    public mutating func receive(_ deliverSM: DeliverSM, at now: Date) -> InboundSMS? {
        let payloadParameter = deliverSM.parameters.messagePayload
        let octets =
            deliverSM.shortMessage.isEmpty && payloadParameter != nil ? payloadParameter ?? [] : deliverSM.shortMessage
        var part: ConcatenationReassembler.Part
        do {
            part = try makePart(deliverSM, octets: octets, at: now)
        } catch {
            // Packed septets cannot be read without their header's length, so they are kept as data.
            let packed = packsGSM && deliverSM.dataCoding == 0x00
            part = ConcatenationReassembler.Part(
                sender: deliverSM.sourceAddress,
                concatenation: nil,
                alphabet: packed ? .eightBit : Self.alphabet(dataCoding: deliverSM.dataCoding),
                payload: octets,
                receivedAt: now
            )
        }
        if part.concatenation == nil, let info = Self.sarInfo(deliverSM.parameters) {
            part.concatenation = info
        }
        if addressing[deliverSM.sourceAddress] == nil {
            addressing[deliverSM.sourceAddress] = (
                deliverSM.sourceAddressTON, deliverSM.destinationAddress, deliverSM.dataCoding
            )
        }
        guard let assembled = reassembler.receive(part) else { return nil }
        let first =
            addressing.removeValue(forKey: deliverSM.sourceAddress)
            ?? (deliverSM.sourceAddressTON, deliverSM.destinationAddress, deliverSM.dataCoding)
        if reassembler.pendingCount > 0 {
            // Another message from the same sender is still open; keep its addressing.
            addressing[deliverSM.sourceAddress] = first
        }
        return InboundSMS(
            sender: assembled.sender,
            senderTON: first.ton,
            recipient: first.recipient,
            dataCoding: first.dataCoding,
            text: (try? assembled.text()) ?? nil,
            payload: assembled.payload,
            partCount: assembled.partCount,
            receivedAt: assembled.firstReceivedAt
        )
    }

    /// Reads one part's header and text; GSM 7-bit is unpacked first when the link packs it.
    private func makePart(
        _ deliverSM: DeliverSM,
        octets: [UInt8],
        at now: Date
    ) throws(SMSCodec.PDUDecodingError) -> ConcatenationReassembler.Part {
        let hasHeader = deliverSM.esmClass & 0x40 != 0
        guard packsGSM, deliverSM.dataCoding == 0x00 else {
            return try ConcatenationReassembler.Part(
                sender: deliverSM.sourceAddress,
                shortMessage: octets,
                dataCoding: deliverSM.dataCoding,
                hasHeader: hasHeader,
                receivedAt: now
            )
        }
        let userData = try GSMSeptetUnpacking.unpack(octets, hasHeader: hasHeader)
        return ConcatenationReassembler.Part(
            sender: deliverSM.sourceAddress,
            concatenation: userData.header?.concatenation,
            alphabet: .gsm7,
            payload: userData.septets,
            receivedAt: now
        )
    }

    /// Drops messages whose first part is `timeout` old or more, and returns them.
    public mutating func expire(now: Date) -> [ConcatenationReassembler.ExpiredMessage] {
        let expired = reassembler.expire(now: now)
        if reassembler.pendingCount == 0 {
            addressing.removeAll()
        }
        return expired
    }

    /// Reads the SAR parameters as concatenation fields; `nil` unless all three are present and consistent.
    /// Maps `data_coding` to an alphabet as `ConcatenationReassembler.Part` does.
    private static func alphabet(dataCoding: UInt8) -> DataCodingScheme.Alphabet {
        switch dataCoding {
        case 0x00: .gsm7
        case 0x08: .ucs2
        default: .eightBit
        }
    }

    private static func sarInfo(_ parameters: [TLV]) -> ConcatenationInfo? {
        guard let reference = parameters.sarMessageReference,
            let total = parameters.sarTotalSegments,
            let sequence = parameters.sarSegmentSequenceNumber,
            total > 0, (1...total).contains(sequence)
        else { return nil }
        return ConcatenationInfo(
            referenceWidth: .sixteenBit,
            reference: reference,
            totalParts: total,
            sequenceNumber: sequence
        )
    }
}
