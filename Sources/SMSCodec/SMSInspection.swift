/// A person-readable account of how a text goes out as SMS, for `lifeline sms inspect`.
///
/// Codable, so a CLI can print it as JSON. `renderText()` gives the terminal form.
public struct SMSInspection: Sendable, Codable, Equatable {
    /// One segment's sizes and octets.
    public struct Segment: Sendable, Codable, Equatable {
        /// Position from 1.
        public var sequenceNumber: Int
        /// Septets (GSM 7-bit) or UTF-16 units (UCS-2) of text in this segment.
        public var units: Int
        /// TP-UDL of the segment as sent in a TPDU.
        public var userDataLength: Int
        /// The user data header with UDHL, as hex. Empty for a single-segment message.
        public var headerHex: String
        /// TP-UD as sent in a TPDU: header, fill bits and packed septets, or header and UCS-2 octets.
        public var userDataHex: String
        /// The SMPP short_message form: header then unpacked septets (one per octet) or UCS-2 octets.
        public var shortMessageHex: String
        /// The text this segment carries.
        public var text: String
    }

    /// The alphabet chosen.
    public var encoding: SMSEncoding
    /// TP-DCS and SMPP data_coding.
    public var dataCoding: Int
    /// Characters as a person counts them.
    public var characters: Int
    /// Septets of the whole text for GSM 7-bit, else nil.
    public var septets: Int?
    /// UTF-16 units of the whole text for UCS-2, else nil.
    public var units: Int?
    /// The number of segments.
    public var segmentCount: Int
    /// Characters with no GSM 7-bit code, the reason a text goes as UCS-2, in text order without repeats.
    public var nonGSMCharacters: [String]
    /// Each segment.
    public var segments: [Segment]

    /// Plans `text` and describes the result.
    /// - Throws: `SegmentPlanner.PlanningError` as `SegmentPlanner.plan(_:options:)`.
    public static func inspect(
        _ text: String,
        options: SegmentPlanner.Options = SegmentPlanner.Options()
    ) throws(SegmentPlanner.PlanningError) -> SMSInspection {
        let plan = try SegmentPlanner.plan(text, options: options)
        return SMSInspection(plan: plan, text: text)
    }

    /// Describes an existing plan of `text`.
    public init(plan: SegmentPlan, text: String) {
        encoding = plan.encoding
        dataCoding = Int(plan.dataCoding)
        characters = plan.characters
        septets = plan.encoding == .gsm7 ? plan.units : nil
        units = plan.encoding == .ucs2 ? plan.units : nil
        segmentCount = plan.segments.count
        var seen: Set<Character> = []
        nonGSMCharacters = text.filter { !GSMAlphabet.canEncode(String($0)) && seen.insert($0).inserted }.map(
            String.init
        )
        segments = plan.segments.map { segment in
            Segment(
                sequenceNumber: segment.sequenceNumber,
                units: segment.units,
                userDataLength: segment.userDataLength,
                headerHex: Hex.encode(segment.headerBytes),
                userDataHex: Hex.encode(segment.packedUserData),
                shortMessageHex: Hex.encode(segment.unpackedUserData),
                text: segment.text
            )
        }
    }

    /// Renders a summary for a terminal, then one block per segment.
    public func renderText() -> String {
        var lines: [String] = []
        let name = encoding == .gsm7 ? "GSM 7-bit" : "UCS-2"
        lines.append("encoding:   \(name) (data_coding \(dataCoding))")
        lines.append("characters: \(characters)")
        if let septets { lines.append("septets:    \(septets)") }
        if let units { lines.append("UTF-16 units: \(units)") }
        if !nonGSMCharacters.isEmpty {
            lines.append("not in GSM 7-bit: " + nonGSMCharacters.map { "\"\($0)\"" }.joined(separator: " "))
        }
        lines.append("segments:   \(segmentCount)")
        for segment in segments {
            let unitName = encoding == .gsm7 ? "septets" : "units"
            lines.append("")
            let position = "segment \(segment.sequenceNumber)/\(segmentCount)"
            lines.append("\(position): \(segment.units) \(unitName), TP-UDL \(segment.userDataLength)")
            lines.append("  UDH:           \(segment.headerHex.isEmpty ? "(none)" : segment.headerHex)")
            lines.append("  TP-UD:         \(segment.userDataHex)")
            lines.append("  short_message: \(segment.shortMessageHex)")
            lines.append("  text:          \(segment.text.debugDescription)")
        }
        return lines.joined(separator: "\n")
    }
}
