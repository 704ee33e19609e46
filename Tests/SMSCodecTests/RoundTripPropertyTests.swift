import Foundation
import Testing

@testable import SMSCodec

/// A small deterministic generator (SplitMix64), so a failing text can be reproduced from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Properties over random texts: encoding round-trips, segment limits, unsplit pairs and PDU agreement.
@Suite struct RoundTripPropertyTests {
    /// Scalars drawn for GSM-only texts: basic set, '@', escapes and line breaks.
    static let gsmPool: [Unicode.Scalar] = Array(
        "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà€{}[]^~|\\\n\r\u{0C}"
            .unicodeScalars
    )
    /// Scalars outside GSM: Cyrillic, CJK, backtick, combining mark, and astral characters that need surrogate pairs.
    static let otherPool: [Unicode.Scalar] = Array("я中`ç\u{301}😀🚑𝄞👍🏽".unicodeScalars)

    static func randomText(using generator: inout SeededGenerator, gsmOnly: Bool) -> String {
        let length = Int.random(in: 0...700, using: &generator)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let useOther = !gsmOnly && Int.random(in: 0..<8, using: &generator) == 0
            let pool = useOther ? otherPool : gsmPool
            scalars.append(pool[Int.random(in: 0..<pool.count, using: &generator)])
        }
        return String(scalars)
    }

    /// For 400 seeded texts: segments decode on their own to their share of the text, stay within limits,
    /// join back to the text, and agree with the inspection and the SMS-SUBMIT PDUs.
    @Test(arguments: [0x5EED_0001, 0x5EED_0002] as [UInt64])
    func segmentsRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for round in 0..<200 {
            let text = Self.randomText(using: &generator, gsmOnly: round % 2 == 0)
            let width: ConcatenationInfo.ReferenceWidth = round % 3 == 0 ? .sixteenBit : .eightBit
            let options = SegmentPlanner.Options(referenceWidth: width, reference: UInt16(round), maximumSegments: 255)
            let plan = try SegmentPlanner.plan(text, options: options)
            let context = "seed \(seed) round \(round)"

            let single = plan.encoding.unitsPerSegment(headerLength: 0)
            let limit =
                plan.segments.count == 1 ? single : plan.encoding.unitsPerSegment(headerLength: width.headerLength)
            var joined = ""
            for segment in plan.segments {
                #expect(segment.units <= limit, "\(context)")
                #expect(segment.packedUserData.count <= 140, "\(context)")
                // Decoding a segment alone proves no escape or surrogate pair was split.
                let decoded: String
                switch plan.encoding {
                case .gsm7:
                    #expect(
                        segment.payload.last != GSMAlphabet.escape || segment.text.unicodeScalars.last == "\u{1B}",
                        "\(context)"
                    )
                    decoded = GSMAlphabet.decode(segment.payload)
                    let header = segment.headerBytes.count
                    let unpacked = try SeptetPacking.unpack(
                        Array(segment.packedUserData.dropFirst(header)),
                        septetCount: segment.units,
                        fillBits: SeptetPacking.fillBits(afterHeaderOfLength: header)
                    )
                    #expect(unpacked == segment.payload, "\(context)")
                case .ucs2:
                    decoded = try UCS2.decode(segment.payload)
                }
                #expect(decoded.unicodeScalars.elementsEqual(segment.text.unicodeScalars), "\(context)")
                joined += decoded
            }
            #expect(joined.unicodeScalars.elementsEqual(text.unicodeScalars), "\(context)")
            #expect(plan.encoding == (GSMAlphabet.canEncode(text) ? .gsm7 : .ucs2), "\(context)")

            let inspection = SMSInspection(plan: plan, text: text)
            #expect(inspection.segmentCount == plan.segments.count, "\(context)")

            let pdus = try SMSSubmit.pdus(for: text, to: .international("447700900123"), planning: options)
            #expect(pdus.count == plan.segments.count, "\(context)")
            var fromPDUs = ""
            for pdu in pdus {
                guard case .submit(let submit) = try TPDUDecoder.decode(pdu.bytes, hasSMSC: true).tpdu else {
                    Issue.record("\(context): not an SMS-SUBMIT")
                    continue
                }
                fromPDUs += try submit.userData.text() ?? ""
            }
            #expect(fromPDUs.unicodeScalars.elementsEqual(text.unicodeScalars), "\(context)")
        }
    }

    /// Shuffled and duplicated parts of seeded texts reassemble to the original text.
    @Test func reassemblesShuffledParts() throws {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        var reassembler = ConcatenationReassembler()
        let now = Date(timeIntervalSince1970: 0)
        for round in 0..<100 {
            let text = Self.randomText(using: &generator, gsmOnly: round % 2 == 0)
            let plan = try SegmentPlanner.plan(text, options: .init(reference: UInt16(round), maximumSegments: 255))
            var parts = plan.segments.map { segment in
                ConcatenationReassembler.Part(
                    sender: "+4477009001\(round % 10)",
                    concatenation: segment.header?.concatenation,
                    alphabet: segment.encoding == .gsm7 ? .gsm7 : .ucs2,
                    payload: segment.payload,
                    receivedAt: now
                )
            }
            if let duplicate = parts.randomElement(using: &generator) { parts.append(duplicate) }
            parts.shuffle(using: &generator)

            var completed: [String] = []
            for part in parts {
                if let message = reassembler.receive(part) { completed.append(try message.text() ?? "") }
            }
            // A duplicate of a single-segment message completes it twice. A multipart message completes once.
            let expectedCount = plan.segments.count == 1 ? 2 : 1
            #expect(completed.count == expectedCount, "round \(round)")
            #expect(completed.allSatisfy { $0.unicodeScalars.elementsEqual(text.unicodeScalars) }, "round \(round)")
        }
        #expect(reassembler.pendingCount == 0)
    }

    /// Random septets pack and unpack to themselves at every fill-bit offset.
    @Test func packingRoundTrips() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let count = Int.random(in: 0...160, using: &generator)
            let septets = (0..<count).map { _ in UInt8.random(in: 0...0x7F, using: &generator) }
            let fill = Int.random(in: 0...6, using: &generator)
            let packed = SeptetPacking.pack(septets, fillBits: fill)
            #expect(packed.count == SeptetPacking.packedLength(septetCount: count, fillBits: fill))
            #expect(try SeptetPacking.unpack(packed, septetCount: count, fillBits: fill) == septets)
        }
    }
}
