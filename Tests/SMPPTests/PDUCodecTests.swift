import Testing

@testable import SMPP

/// Golden frames checked against an independent encoder (the smpp.pdu Python package).
struct PDUCodecTests {
    static let submitSM = SubmitSM(
        sourceAddressTON: 5,
        sourceAddressNPI: 0,
        sourceAddress: "Lifeline",
        destinationAddressTON: 1,
        destinationAddressNPI: 1,
        destinationAddress: "447700900123",
        registeredDelivery: 1,
        shortMessage: Array("Hi".utf8)
    )

    static let receipt: DeliverSM = {
        var parameters: [TLV] = []
        parameters.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: 1)
        parameters.messageState = .delivered
        parameters.receiptedMessageID = "1"
        return DeliverSM(
            sourceAddressTON: 1,
            sourceAddressNPI: 1,
            sourceAddress: "447700900123",
            destinationAddress: "Lifeline",
            esmClass: 0x04,
            shortMessage: Array("id:1 stat:DELIVRD".utf8),
            parameters: parameters
        )
    }()

    static let golden: [(name: String, pdu: PDU, hex: String)] = [
        (
            "submit_sm", PDU(sequenceNumber: 2, body: .submitSM(submitSM)),
            "000000370000000400000000000000020005004C6966656C696E650001013434373730303930303132330000"
                + "0000000001000000024869"
        ),
        (
            "submit_sm_resp", PDU(sequenceNumber: 2, body: .submitSMResponse(SubmitSMResponse(messageID: "abc123"))),
            "0000001780000004000000000000000261626331323300"
        ),
        (
            "deliver_sm", PDU(sequenceNumber: 7, body: .deliverSM(receipt)),
            "000000580000000500000000000000070001013434373730303930303132330000004C6966656C696E6500040000000000000000"
                + "1169643A3120737461743A44454C49565244042300030300010427000102001E00023100"
        ),
        (
            "deliver_sm_resp", PDU(sequenceNumber: 7, body: .deliverSMResponse(DeliverSMResponse())),
            "0000001180000005000000000000000700"
        ),
        ("unbind", PDU(sequenceNumber: 3, body: .unbind(Unbind())), "00000010000000060000000000000003"),
        (
            "unbind_resp", PDU(sequenceNumber: 3, body: .unbindResponse(UnbindResponse())),
            "00000010800000060000000000000003"
        ),
        (
            "generic_nack", PDU(commandStatus: .invalidCommandID, sequenceNumber: 9, body: .genericNack(GenericNack())),
            "00000010800000000000000300000009"
        ),
        ("enquire_link", PDU(sequenceNumber: 1, body: .enquireLink(EnquireLink())), "00000010000000150000000000000001"),
        (
            "enquire_link_resp", PDU(sequenceNumber: 1, body: .enquireLinkResponse(EnquireLinkResponse())),
            "00000010800000150000000000000001"
        ),
        (
            "bind_transceiver",
            PDU(
                sequenceNumber: 1,
                body: .bind(BindRequest(mode: .transceiver, systemID: "lifeline", password: "secret"))
            ),
            "000000250000000900000000000000016C6966656C696E6500736563726574000034000000"
        ),
        (
            "bind_receiver_resp",
            PDU(sequenceNumber: 1, body: .bindResponse(BindResponse(mode: .receiver, systemID: "SMSC"))),
            "00000015800000010000000000000001534D534300"
        ),
        (
            "outbind", PDU(sequenceNumber: 1, body: .outbind(Outbind(systemID: "SMSC", password: "pw"))),
            "000000180000000B0000000000000001534D534300707700"
        ),
    ]

    /// Each PDU encodes to its golden frame.
    @Test(arguments: golden.map { $0.name })
    func encodesGolden(name: String) {
        let entry = Self.golden.first { $0.name == name }!
        #expect(hex(entry.pdu.encoded()) == entry.hex)
    }

    /// Each golden frame decodes to its PDU, and the PDU encodes back to the same octets.
    @Test(arguments: golden.map { $0.name })
    func decodesGolden(name: String) throws {
        let entry = Self.golden.first { $0.name == name }!
        let decoded = try PDU(decoding: bytes(hex: entry.hex))
        #expect(decoded == entry.pdu)
        #expect(decoded.encoded() == bytes(hex: entry.hex))
    }

    /// The receipt's TLVs read back through the typed accessors.
    @Test func readsReceiptTLVs() throws {
        let decoded = try PDU(decoding: bytes(hex: Self.golden[2].hex))
        guard case .deliverSM(let deliverSM) = decoded.body else {
            Issue.record("not a deliver_sm")
            return
        }
        #expect(deliverSM.isDeliveryReceipt)
        #expect(deliverSM.parameters.receiptedMessageID == "1")
        #expect(deliverSM.parameters.messageState == .delivered)
        #expect(deliverSM.parameters.networkErrorCode == NetworkErrorCode(networkType: 3, errorCode: 1))
    }

    /// SAR and message_payload TLVs survive a round trip.
    @Test func roundTripsSegmentationTLVs() throws {
        var submit = Self.submitSM
        submit.shortMessage = []
        submit.parameters.sarMessageReference = 0x1234
        submit.parameters.sarTotalSegments = 3
        submit.parameters.sarSegmentSequenceNumber = 2
        submit.parameters.messagePayload = Array(repeating: 0x41, count: 300)
        let pdu = PDU(sequenceNumber: 0x7FFF_FFFF, body: .submitSM(submit))
        let decoded = try PDU(decoding: pdu.encoded())
        #expect(decoded == pdu)
        guard case .submitSM(let back) = decoded.body else { return }
        #expect(back.parameters.sarMessageReference == 0x1234)
        #expect(back.parameters.sarTotalSegments == 3)
        #expect(back.parameters.sarSegmentSequenceNumber == 2)
        #expect(back.parameters.messagePayload?.count == 300)
    }

    /// Fed one octet at a time, the decoder returns nil without consuming until the frame is whole.
    @Test func decodesByteByByte() throws {
        let stream = Self.golden.flatMap { bytes(hex: $0.hex) }
        var buffer: [UInt8] = []
        var decoded: [PDU] = []
        for octet in stream {
            buffer.append(octet)
            let before = buffer
            if let pdu = try PDU.decode(from: &buffer) {
                decoded.append(pdu)
            } else {
                #expect(buffer == before)
            }
        }
        #expect(decoded == Self.golden.map { $0.pdu })
        #expect(buffer.isEmpty)
    }

    /// Every strict prefix of a frame is "need more bytes", never an error.
    @Test func truncatedFrameNeedsMore() throws {
        let frame = bytes(hex: Self.golden[0].hex)
        for length in 0..<frame.count {
            var buffer = Array(frame.prefix(length))
            #expect(try PDU.decode(from: &buffer) == nil)
            #expect(buffer.count == length)
        }
    }

    /// A command_length below 16 or above the maximum is rejected before any body is awaited.
    @Test(arguments: [
        ("0000000F00000015000000000000000100", UInt32(15)),
        ("00010001000000040000000000000001", UInt32(65_537)),
        ("FFFFFFFF", UInt32(0xFFFF_FFFF)),
    ])
    func rejectsCommandLengthOutOfRange(frame: String, length: UInt32) {
        var buffer = bytes(hex: frame)
        #expect(throws: PDUDecodingError.commandLengthOutOfRange(length, maximum: 65_536)) {
            try PDU.decode(from: &buffer)
        }
        #expect(buffer == bytes(hex: frame))
    }

    /// A C-Octet string with no NUL within its maximum length names the field and its offset.
    @Test func rejectsUnterminatedSystemID() {
        // bind_transmitter whose system_id has 16 non-NUL octets.
        let body = Array(repeating: UInt8(0x41), count: 16) + [0, 0, 0x34, 0, 0, 0]
        let frame = header(length: 16 + body.count, commandID: 0x02, sequence: 1) + body
        #expect(throws: PDUDecodingError.unterminatedCOctetString(name: "system_id", maxLength: 16, offset: 16)) {
            try PDU(decoding: frame)
        }
    }

    /// A string running into the end of the frame is unterminated, not an out-of-range read.
    @Test func rejectsStringCutByFrameEnd() {
        let frame = header(length: 19, commandID: 0x8000_0004, sequence: 1) + [0x31, 0x32, 0x33]
        #expect(throws: PDUDecodingError.unterminatedCOctetString(name: "message_id", maxLength: 65, offset: 16)) {
            try PDU(decoding: frame)
        }
    }

    /// A TLV whose length runs past the frame is rejected with its tag and offset.
    @Test func rejectsTLVPastEnd() {
        var frame = bytes(hex: Self.golden[1].hex)
        frame += [0x04, 0x27, 0x00, 0x05, 0x02]
        frame.replaceSubrange(0..<4, with: [0, 0, 0, UInt8(frame.count)])
        #expect(throws: PDUDecodingError.tlvLengthPastEnd(tag: 0x0427, length: 5, offset: 23)) {
            try PDU(decoding: frame)
        }
    }

    /// A known TLV with the wrong length is rejected.
    @Test func rejectsWrongMessageStateLength() {
        var frame = bytes(hex: Self.golden[1].hex)
        frame += [0x04, 0x27, 0x00, 0x02, 0x02, 0x00]
        frame.replaceSubrange(0..<4, with: [0, 0, 0, UInt8(frame.count)])
        #expect(throws: PDUDecodingError.invalidTLVLength(tag: 0x0427, length: 2, offset: 23)) {
            try PDU(decoding: frame)
        }
    }

    /// sm_length over 254 is an invalid field; one past the body is a truncated field.
    @Test func rejectsBadShortMessageLength() {
        var frame = bytes(hex: Self.golden[0].hex)
        let lengthOffset = frame.count - 3
        frame[lengthOffset] = 0xFF
        #expect(throws: PDUDecodingError.invalidField(name: "sm_length", value: 255, offset: lengthOffset)) {
            try PDU(decoding: frame)
        }
        frame[lengthOffset] = 0x03
        #expect(throws: PDUDecodingError.truncatedField(name: "short_message", offset: lengthOffset + 1)) {
            try PDU(decoding: frame)
        }
    }

    /// A header-only PDU with a body byte is rejected, like the 17-octet enquire_link_resp an SMSC refused.
    @Test func rejectsStrayBodyOnHeaderOnlyPDU() {
        let frame = bytes(hex: "00000011800000150000000007A3C11900")
        #expect(throws: PDUDecodingError.unexpectedBody(commandID: .enquireLinkResponse, extraOctets: 1, offset: 16)) {
            try PDU(decoding: frame)
        }
    }

    /// A malformed body costs its frame only: the next frame in the buffer still decodes.
    @Test func malformedFrameIsConsumed() throws {
        var buffer = bytes(hex: "00000011800000150000000007A3C11900") + bytes(hex: Self.golden[7].hex)
        #expect(throws: PDUDecodingError.self) { try PDU.decode(from: &buffer) }
        #expect(try PDU.decode(from: &buffer) == Self.golden[7].pdu)
    }

    /// An unknown command decodes as unsupported with its body kept.
    @Test func keepsUnknownCommand() throws {
        let frame = header(length: 18, commandID: 0x0000_0103, sequence: 5) + [0xAB, 0xCD]
        let pdu = try PDU(decoding: frame)
        #expect(pdu.body == .unsupported(.dataSM, body: [0xAB, 0xCD]))
        #expect(pdu.encoded() == frame)
    }

    /// Command status values carry their spec names.
    @Test(arguments: [
        (CommandStatus.ok, "0x00000000 ESME_ROK"),
        (.invalidPassword, "0x0000000E ESME_RINVPASWD"),
        (.throttled, "0x00000058 ESME_RTHROTTLED"),
        (.messageQueueFull, "0x00000014 ESME_RMSGQFUL"),
        (.invalidDestinationAddress, "0x0000000B ESME_RINVDSTADR"),
        (CommandStatus(rawValue: 0x400), "0x00000400"),
    ])
    func namesStatus(status: CommandStatus, text: String) {
        #expect(status.description == text)
    }

    /// Each status falls into its failover class.
    @Test(arguments: [
        (CommandStatus.ok, CommandStatus.FailoverClass.ok),
        (.invalidDestinationAddress, .recipientError),
        (.invalidDestinationTON, .recipientError),
        (.invalidPassword, .providerUnavailable),
        (.bindFailed, .providerUnavailable),
        (.systemError, .providerUnavailable),
        (.throttled, .throttled),
        (.messageQueueFull, .throttled),
        (CommandStatus(rawValue: 0x4AB), .unknown),
    ])
    func classifiesStatus(status: CommandStatus, expected: CommandStatus.FailoverClass) {
        #expect(status.failoverClass == expected)
    }

    private func header(length: Int, commandID: UInt32, sequence: UInt32) -> [UInt8] {
        var writer = PDUWriter()
        writer.writeUInt32(UInt32(length))
        writer.writeUInt32(commandID)
        writer.writeUInt32(0)
        writer.writeUInt32(sequence)
        return writer.bytes
    }
}
