import Testing

@testable import SMSCodec

/// Segment limits, boundaries, headers and the maximum segment count.
@Suite struct SegmentPlannerTests {
    /// Lengths around the single and multipart limits give the expected alphabet, size and segment count.
    @Test(arguments: [
        ("", SMSEncoding.gsm7, 0, 1),
        (String(repeating: "a", count: 160), .gsm7, 160, 1),
        (String(repeating: "a", count: 161), .gsm7, 161, 2),
        (String(repeating: "a", count: 306), .gsm7, 306, 2),
        (String(repeating: "a", count: 307), .gsm7, 307, 3),
        (String(repeating: "€", count: 80), .gsm7, 160, 1),
        (String(repeating: "€", count: 81), .gsm7, 162, 2),
        (String(repeating: "я", count: 70), .ucs2, 70, 1),
        (String(repeating: "я", count: 71), .ucs2, 71, 2),
        (String(repeating: "я", count: 134), .ucs2, 134, 2),
        (String(repeating: "я", count: 135), .ucs2, 135, 3),
        (String(repeating: "😀", count: 35), .ucs2, 70, 1),
        (String(repeating: "😀", count: 36), .ucs2, 72, 2),
    ])
    func plansSizes(text: String, encoding: SMSEncoding, units: Int, segments: Int) throws {
        let plan = try SegmentPlanner.plan(text)
        #expect(plan.encoding == encoding)
        #expect(plan.units == units)
        #expect(plan.segments.count == segments)
        if segments == 1 { #expect(plan.segments[0].header == nil) }
    }

    /// An escape pair that would straddle the limit moves whole to the next segment.
    @Test func keepsEscapePairsTogether() throws {
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10)
        let plan = try SegmentPlanner.plan(text)
        #expect(plan.segments.map(\.units) == [152, 12])
        #expect(plan.segments[0].payload.last == 0x61)
        #expect(plan.segments[1].payload.prefix(2) == [0x1B, 0x65])
    }

    /// A surrogate pair that would straddle the limit moves whole to the next segment.
    @Test func keepsSurrogatePairsTogether() throws {
        let text = "a" + String(repeating: "😀", count: 40)
        let plan = try SegmentPlanner.plan(text)
        #expect(plan.segments.map(\.units) == [67, 14])
        for segment in plan.segments {
            #expect(throws: Never.self) { try UCS2.decode(segment.payload) }
        }
    }

    /// Multipart GSM segments carry a 6-octet IEI 00 header, TP-UDL 160 and 140 octets of TP-UD when full.
    @Test func buildsEightBitConcatenationHeaders() throws {
        let options = SegmentPlanner.Options(reference: 0x1234)
        let plan = try SegmentPlanner.plan(String(repeating: "x", count: 200), options: options)
        #expect(plan.segments.map(\.units) == [153, 47])
        #expect(Hex.encode(plan.segments[0].headerBytes) == "0500033402" + "01")
        #expect(Hex.encode(plan.segments[1].headerBytes) == "0500033402" + "02")
        #expect(plan.segments[0].userDataLength == 160)
        #expect(plan.segments[0].packedUserData.count == 140)
        #expect(plan.segments[0].unpackedUserData.count == 6 + 153)
    }

    /// The 16-bit reference uses IEI 08, a 7-octet header, and 152 septets or 66 units per segment.
    @Test func buildsSixteenBitConcatenationHeaders() throws {
        let options = SegmentPlanner.Options(referenceWidth: .sixteenBit, reference: 0x1234)
        let gsm = try SegmentPlanner.plan(String(repeating: "x", count: 200), options: options)
        #expect(gsm.segments.map(\.units) == [152, 48])
        #expect(Hex.encode(gsm.segments[0].headerBytes) == "06080412340201")
        #expect(gsm.segments[0].userDataLength == 160)
        #expect(gsm.segments[0].packedUserData.count == 140)

        let ucs2 = try SegmentPlanner.plan(String(repeating: "я", count: 100), options: options)
        #expect(ucs2.segments.map(\.units) == [66, 34])
        #expect(ucs2.segments[0].packedUserData.count == 7 + 132)
    }

    /// A text over the maximum throws with the needed count, and nothing is truncated.
    @Test func rejectsTooManySegments() {
        let text = String(repeating: "a", count: 153 * 10 + 1)
        #expect(throws: SegmentPlanner.PlanningError.segmentation(.tooManySegments(needed: 11, maximum: 10))) {
            try SegmentPlanner.plan(text)
        }
        #expect(throws: Never.self) { try SegmentPlanner.plan(text, options: .init(maximumSegments: 11)) }
        #expect(throws: SegmentPlanner.PlanningError.segmentation(.invalidMaximumSegments(0))) {
            try SegmentPlanner.plan("a", options: .init(maximumSegments: 0))
        }
    }

    /// Forcing GSM 7-bit on a text it cannot carry throws. Forcing UCS-2 works on any text.
    @Test func honoursForcedEncoding() throws {
        #expect(throws: SegmentPlanner.PlanningError.text(.notInGSMAlphabet(character: "я", offset: 0))) {
            try SegmentPlanner.plan("я", options: .init(encoding: .gsm7))
        }
        let plan = try SegmentPlanner.plan("abc", options: .init(encoding: .ucs2))
        #expect(Hex.encode(plan.segments[0].payload) == "006100620063")
    }
}
