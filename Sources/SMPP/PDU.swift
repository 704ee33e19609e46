/// One SMPP 3.4 PDU: the header's status and sequence number, and a typed body.
///
/// Decoding is pure: `PDU(decoding:)` reads one complete frame, `PDU.decode(from:)` takes
/// frames off the front of a stream buffer. `encoded()` writes the frame with its
/// `command_length`.
public struct PDU: Equatable, Sendable {
    /// `command_status`: zero in requests, the result in responses.
    public var commandStatus: CommandStatus
    /// `sequence_number`: 0x00000001...0x7FFFFFFF; a response echoes its request's.
    public var sequenceNumber: UInt32
    /// The command and its fields.
    public var body: Body

    /// The commands this module decodes, plus a catch-all for the rest.
    public enum Body: Equatable, Sendable {
        case bind(BindRequest)
        case bindResponse(BindResponse)
        case outbind(Outbind)
        case unbind(Unbind)
        case unbindResponse(UnbindResponse)
        case submitSM(SubmitSM)
        case submitSMResponse(SubmitSMResponse)
        case deliverSM(DeliverSM)
        case deliverSMResponse(DeliverSMResponse)
        case enquireLink(EnquireLink)
        case enquireLinkResponse(EnquireLinkResponse)
        case genericNack(GenericNack)
        /// A command this module does not implement (`query_sm`, `data_sm`, …), with its raw body.
        case unsupported(CommandID, body: [UInt8])
    }

    /// The default maximum `command_length`: 64 KiB, well above the largest `submit_sm` with a
    /// full `message_payload`.
    public static let defaultMaximumLength: UInt32 = 65_536

    public init(commandStatus: CommandStatus = .ok, sequenceNumber: UInt32, body: Body) {
        self.commandStatus = commandStatus
        self.sequenceNumber = sequenceNumber
        self.body = body
    }

    /// The header's `command_id`.
    public var commandID: CommandID {
        switch body {
        case .bind(let bind): bind.mode.requestID
        case .bindResponse(let response): response.mode.responseID
        case .outbind: .outbind
        case .unbind: .unbind
        case .unbindResponse: .unbindResponse
        case .submitSM: .submitSM
        case .submitSMResponse: .submitSMResponse
        case .deliverSM: .deliverSM
        case .deliverSMResponse: .deliverSMResponse
        case .enquireLink: .enquireLink
        case .enquireLinkResponse: .enquireLinkResponse
        case .genericNack: .genericNack
        case .unsupported(let commandID, _): commandID
        }
    }

    /// Decodes one complete frame whose first four octets are its `command_length`.
    ///
    /// - Throws: `PDUDecodingError` naming the field and its offset in the frame.
    public init(decoding frame: [UInt8], maximumLength: UInt32 = PDU.defaultMaximumLength) throws(PDUDecodingError) {
        guard let header = PDUHeader(peeking: frame) else {
            throw .truncatedField(name: frame.count < 4 ? "command_length" : "header", offset: 0)
        }
        guard header.commandLength >= UInt32(PDUHeader.length), header.commandLength <= maximumLength else {
            throw .commandLengthOutOfRange(header.commandLength, maximum: maximumLength)
        }
        guard Int(header.commandLength) == frame.count else {
            throw .invalidField(name: "command_length", value: Int(header.commandLength), offset: 0)
        }
        var reader = PDUReader(frame: frame, offset: PDUHeader.length)
        commandStatus = header.commandStatus
        sequenceNumber = header.sequenceNumber
        body = try Self.readBody(commandID: header.commandID, reader: &reader)
    }

    private static func readBody(commandID: CommandID, reader: inout PDUReader) throws(PDUDecodingError) -> Body {
        switch commandID {
        case .bindTransmitter, .bindReceiver, .bindTransceiver:
            return .bind(try BindRequest(mode: BindMode(commandID: commandID)!, reading: &reader))
        case .bindTransmitterResponse, .bindReceiverResponse, .bindTransceiverResponse:
            return .bindResponse(try BindResponse(mode: BindMode(commandID: commandID)!, reading: &reader))
        case .outbind: return .outbind(try Outbind(reading: &reader))
        case .unbind: return .unbind(try Unbind(reading: &reader))
        case .unbindResponse: return .unbindResponse(try UnbindResponse(reading: &reader))
        case .submitSM: return .submitSM(try SubmitSM(reading: &reader))
        case .submitSMResponse: return .submitSMResponse(try SubmitSMResponse(reading: &reader))
        case .deliverSM: return .deliverSM(try DeliverSM(reading: &reader))
        case .deliverSMResponse: return .deliverSMResponse(try DeliverSMResponse(reading: &reader))
        case .enquireLink: return .enquireLink(try EnquireLink(reading: &reader))
        case .enquireLinkResponse: return .enquireLinkResponse(try EnquireLinkResponse(reading: &reader))
        case .genericNack: return .genericNack(try GenericNack(reading: &reader))
        default:
            return .unsupported(commandID, body: try reader.readOctets(count: reader.remaining, field: "body"))
        }
    }

    /// Takes the first complete PDU off the front of `buffer`.
    ///
    /// Returns `nil` without consuming anything while the frame is incomplete. A frame with a
    /// valid `command_length` is consumed even when its body is malformed, so the stream stays
    /// in step; the error is thrown after.
    /// - Throws: `PDUDecodingError.commandLengthOutOfRange` before consuming (the connection must
    ///   close), or the body's error after consuming the frame.
    public static func decode(
        from buffer: inout [UInt8],
        maximumLength: UInt32 = PDU.defaultMaximumLength
    ) throws(PDUDecodingError) -> PDU? {
        var framer = PDUFramer(maximumLength: maximumLength)
        framer.append(buffer)
        guard let frame = try framer.nextFrame() else { return nil }
        buffer.removeFirst(frame.count)
        return try PDU(decoding: frame, maximumLength: maximumLength)
    }

    /// Encodes the frame as sent on the wire, `command_length` included.
    public func encoded() -> [UInt8] {
        var writer = PDUWriter()
        writer.writeUInt32(0)
        writer.writeUInt32(commandID.rawValue)
        writer.writeUInt32(commandStatus.rawValue)
        writer.writeUInt32(sequenceNumber)
        switch body {
        case .bind(let bind): bind.write(to: &writer)
        case .bindResponse(let response): response.write(to: &writer)
        case .outbind(let outbind): outbind.write(to: &writer)
        case .submitSM(let submit): submit.write(to: &writer)
        case .submitSMResponse(let response): response.write(to: &writer)
        case .deliverSM(let deliver): deliver.write(to: &writer)
        case .deliverSMResponse(let response): response.write(to: &writer)
        case .unsupported(_, let body): writer.writeOctets(body)
        case .unbind, .unbindResponse, .enquireLink, .enquireLinkResponse, .genericNack: break
        }
        writer.setUInt32(UInt32(writer.bytes.count), at: 0)
        return writer.bytes
    }
}
