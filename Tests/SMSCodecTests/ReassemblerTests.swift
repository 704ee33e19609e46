import Foundation
import Testing

@testable import SMSCodec

/// Reassembly of inbound concatenated parts with an injected clock.
@Suite struct ReassemblerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func part(
        _ sender: String,
        _ reference: UInt16,
        _ total: UInt8,
        _ sequence: UInt8,
        _ text: String,
        at seconds: Double = 0
    ) -> ConcatenationReassembler.Part {
        ConcatenationReassembler.Part(
            sender: sender,
            concatenation: ConcatenationInfo(
                referenceWidth: .eightBit,
                reference: reference,
                totalParts: total,
                sequenceNumber: sequence
            ),
            alphabet: .gsm7,
            payload: try! GSMAlphabet.encode(text),
            receivedAt: start + seconds
        )
    }

    /// Interleaved, out-of-order and duplicated parts of two messages complete each message once.
    @Test func reassemblesInterleavedParts() throws {
        var reassembler = ConcatenationReassembler()
        let arrivals = [
            part("+441", 7, 3, 3, "C"), part("+442", 7, 2, 2, "y"), part("+441", 7, 3, 1, "A"),
            part("+441", 7, 3, 1, "duplicate"), part("+442", 7, 2, 1, "x"), part("+441", 7, 3, 2, "B"),
        ]
        var completed: [String] = []
        for arrival in arrivals {
            if let message = reassembler.receive(arrival) {
                completed.append("\(message.sender):\(try message.text() ?? "")")
            }
        }
        #expect(completed == ["+442:xy", "+441:ABC"])
        #expect(reassembler.pendingCount == 0)
    }

    /// A duplicate arriving after its message completed is dropped until the timeout, then starts a new message.
    @Test func dropsLateDuplicates() {
        var reassembler = ConcatenationReassembler(timeout: 60)
        _ = reassembler.receive(part("s", 3, 2, 1, "a", at: 0))
        #expect(reassembler.receive(part("s", 3, 2, 2, "b", at: 1)) != nil)
        #expect(reassembler.receive(part("s", 3, 2, 2, "b", at: 30)) == nil)
        #expect(reassembler.pendingCount == 0)

        #expect(reassembler.expire(now: start + 61).isEmpty)
        #expect(reassembler.receive(part("s", 3, 2, 2, "b", at: 62)) == nil)
        #expect(reassembler.pendingCount == 1)
    }

    /// Parts built from SMPP short_message octets and from SMS-DELIVER TPDUs join into one message.
    @Test func buildsPartsFromSMPPAndTPDUs() throws {
        let plan = try SegmentPlanner.plan(
            String(repeating: "Gate 4 {open} ", count: 14),
            options: .init(reference: 77)
        )
        #expect(plan.segments.count == 2)
        var reassembler = ConcatenationReassembler()

        let first = try ConcatenationReassembler.Part(
            sender: "+447700900123",
            shortMessage: plan.segments[0].unpackedUserData,
            dataCoding: 0,
            hasHeader: true,
            receivedAt: start
        )
        #expect(reassembler.receive(first) == nil)

        let deliver = SMSDeliver(
            originatingAddress: .international("447700900123"),
            dataCodingScheme: DataCodingScheme(rawValue: 0),
            serviceCentreTimestamp: ServiceCentreTimestamp(date: start, utcOffsetMinutes: 0),
            userData: TPUserData(segment: plan.segments[1])
        )
        guard case .deliver(let decoded) = try TPDUDecoder.decode(try deliver.encode().bytes, hasSMSC: false).tpdu
        else {
            Issue.record("expected SMS-DELIVER")
            return
        }
        let message = reassembler.receive(ConcatenationReassembler.Part(deliver: decoded, receivedAt: start))
        #expect(try message?.text() == String(repeating: "Gate 4 {open} ", count: 14))
    }

    /// A short_message whose header runs past its end is rejected.
    @Test func rejectsTruncatedShortMessage() {
        #expect(throws: PDUDecodingError.self) {
            try ConcatenationReassembler.Part(
                sender: "s",
                shortMessage: [0x05, 0x00, 0x03],
                dataCoding: 0,
                hasHeader: true,
                receivedAt: start
            )
        }
    }

    /// A message without concatenation passes straight through.
    @Test func passesSingleMessagesThrough() throws {
        var reassembler = ConcatenationReassembler()
        let single = ConcatenationReassembler.Part(
            sender: "a",
            concatenation: nil,
            alphabet: .ucs2,
            payload: [0x00, 0x41],
            receivedAt: start
        )
        let received = reassembler.receive(single)
        let message = try #require(received)
        #expect(try message.text() == "A")
        #expect(message.partCount == 1)
    }

    /// Parts are keyed by reference width as well: IEI 00 and IEI 08 with the same number stay apart.
    @Test func keepsReferenceWidthsApart() {
        var reassembler = ConcatenationReassembler()
        var wide = part("s", 5, 2, 2, "b")
        wide.concatenation = ConcatenationInfo(
            referenceWidth: .sixteenBit,
            reference: 5,
            totalParts: 2,
            sequenceNumber: 2
        )
        #expect(reassembler.receive(part("s", 5, 2, 1, "a")) == nil)
        #expect(reassembler.receive(wide) == nil)
        #expect(reassembler.pendingCount == 2)
    }

    /// An escape or surrogate pair split across parts by a sender still decodes after joining.
    @Test func joinsPairsSplitBySender() throws {
        var reassembler = ConcatenationReassembler()
        let info = { (sequence: UInt8) in
            ConcatenationInfo(referenceWidth: .eightBit, reference: 1, totalParts: 2, sequenceNumber: sequence)
        }
        _ = reassembler.receive(
            .init(sender: "g", concatenation: info(1), alphabet: .gsm7, payload: [0x41, 0x1B], receivedAt: start)
        )
        let gsm = reassembler.receive(
            .init(sender: "g", concatenation: info(2), alphabet: .gsm7, payload: [0x65], receivedAt: start)
        )
        #expect(try gsm?.text() == "A€")

        _ = reassembler.receive(
            .init(sender: "u", concatenation: info(1), alphabet: .ucs2, payload: [0xD8, 0x3D], receivedAt: start)
        )
        let ucs2 = reassembler.receive(
            .init(sender: "u", concatenation: info(2), alphabet: .ucs2, payload: [0xDE, 0x00], receivedAt: start)
        )
        #expect(try ucs2?.text() == "😀")
    }

    /// A message missing parts expires only once the timeout has passed, and reports what is missing.
    @Test func expiresIncompleteMessages() {
        var reassembler = ConcatenationReassembler(timeout: 300)
        _ = reassembler.receive(part("s", 9, 4, 2, "b", at: 0))
        _ = reassembler.receive(part("s", 9, 4, 4, "d", at: 100))
        _ = reassembler.receive(part("t", 1, 2, 1, "x", at: 200))

        #expect(reassembler.expire(now: start + 299).isEmpty)
        let expired = reassembler.expire(now: start + 300)
        #expect(expired.count == 1)
        #expect(expired.first?.sender == "s")
        #expect(expired.first?.receivedSequenceNumbers == [2, 4])
        #expect(expired.first?.missingSequenceNumbers == [1, 3])
        #expect(expired.first?.concatenation.reference == 9)
        #expect(reassembler.pendingCount == 1)

        // A late part after expiry starts a new message instead of completing the old one.
        #expect(reassembler.receive(part("s", 9, 4, 1, "a", at: 301)) == nil)
    }

    /// Header parsing ignores concatenation elements with values TS 23.040 marks to be ignored.
    @Test(arguments: [
        ("050003010201", true), ("050003010200", false), ("050003010003", false), ("050003010203", false),
        ("0608040001020", false), ("060804ABCD0202", true), ("0400020102", false),
    ])
    func readsConcatenationElement(hex: String, usable: Bool) throws {
        guard let bytes = try? Hex.decode(hex) else {
            #expect(!usable)
            return
        }
        let (header, length) = try UserDataHeader.parse(bytes)
        #expect(length == bytes.count)
        #expect((header.concatenation != nil) == usable)
    }

    /// A header whose length or element length runs past the data throws with the field and offset.
    @Test(arguments: [
        ("05000301", PDUDecodingError.truncated(field: "UDH", offset: 1, needed: 5, available: 3)),
        ("0300050102", .truncated(field: "UDH IE 0x00", offset: 3, needed: 5, available: 1)),
        ("0100", .truncated(field: "UDH IEDL", offset: 2, needed: 1, available: 0)),
        ("", .truncated(field: "UDHL", offset: 0, needed: 1, available: 0)),
    ])
    func rejectsTruncatedHeaders(hex: String, error: PDUDecodingError) throws {
        let bytes = try Hex.decode(hex)
        #expect(throws: error) { try UserDataHeader.parse(bytes) }
    }
}
