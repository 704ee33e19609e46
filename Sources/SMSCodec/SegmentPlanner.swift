/// Splits a text into SMS segments (TS 23.040 concatenated short messages).
///
/// A text that fits one SMS (160 septets or 70 UTF-16 units) goes without a header. A longer
/// text is split into segments of at most 153 septets or 67 units after an IEI 0x00 header
/// (152 or 66 after IEI 0x08). A character is never split: an extension-table character keeps
/// its escape and code together and a surrogate pair stays whole, so a segment may end short.
public enum SegmentPlanner {
    /// Settings for one plan.
    public struct Options: Sendable, Equatable {
        /// The concatenation element to use when the text needs several segments.
        public var referenceWidth: ConcatenationInfo.ReferenceWidth
        /// The reference written into every segment's header. The caller keeps a counter per
        /// destination so that parts of two messages in flight never share one.
        public var reference: UInt16
        /// The maximum number of segments a text may take. Above it `plan` throws rather than truncate.
        /// Ten by default, an estimate of what carriers and handsets commonly accept.
        public var maximumSegments: Int
        /// The alphabet to use, or nil to choose GSM 7-bit when every character fits, else UCS-2.
        public var encoding: SMSEncoding?

        /// Creates options. The defaults give an 8-bit reference 0, ten segments and automatic alphabet.
        public init(
            referenceWidth: ConcatenationInfo.ReferenceWidth = .eightBit,
            reference: UInt16 = 0,
            maximumSegments: Int = 10,
            encoding: SMSEncoding? = nil
        ) {
            self.referenceWidth = referenceWidth
            self.reference = reference
            self.maximumSegments = maximumSegments
            self.encoding = encoding
        }
    }

    /// Errors from planning: segmentation limits, or a forced GSM alphabet the text does not fit.
    public enum PlanningError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text exceeds the limits.
        case segmentation(SegmentationError)
        /// GSM 7-bit was forced but a character has no code.
        case text(TextCodingError)

        /// The underlying error's message.
        public var description: String {
            switch self {
            case .segmentation(let error): return error.description
            case .text(let error): return error.description
            }
        }
    }

    /// Plans the segments of `text`.
    /// - Throws: `PlanningError.segmentation(.tooManySegments)` with the needed count when the text
    ///   needs more than `options.maximumSegments`, and `PlanningError.text` when GSM 7-bit is forced
    ///   for a text it cannot carry.
    public static func plan(_ text: String, options: Options = Options()) throws(PlanningError) -> SegmentPlan {
        guard (1...255).contains(options.maximumSegments) else {
            throw .segmentation(.invalidMaximumSegments(options.maximumSegments))
        }
        let encoding = options.encoding ?? SMSEncoding.choose(for: text)
        let pieces: [Piece]
        do {
            pieces = try Self.pieces(of: text, encoding: encoding)
        } catch {
            throw .text(error)
        }
        let total = pieces.reduce(0) { $0 + $1.units }
        let characters = text.count

        let single = encoding.unitsPerSegment(headerLength: 0)
        if total <= single {
            let segment = makeSegment(pieces[...], encoding: encoding, sequenceNumber: 1, header: nil)
            return SegmentPlan(encoding: encoding, characters: characters, units: total, segments: [segment])
        }

        let limit = encoding.unitsPerSegment(headerLength: options.referenceWidth.headerLength)
        let groups = split(pieces, limit: limit)
        guard groups.count <= options.maximumSegments else {
            throw .segmentation(.tooManySegments(needed: groups.count, maximum: options.maximumSegments))
        }
        var segments: [PlannedSegment] = []
        for (index, group) in groups.enumerated() {
            let info = ConcatenationInfo(
                referenceWidth: options.referenceWidth,
                reference: options.reference,
                totalParts: UInt8(groups.count),
                sequenceNumber: UInt8(index + 1)
            )
            segments.append(
                makeSegment(
                    group,
                    encoding: encoding,
                    sequenceNumber: index + 1,
                    header: UserDataHeader(concatenation: info)
                )
            )
        }
        return SegmentPlan(encoding: encoding, characters: characters, units: total, segments: segments)
    }

    /// One Unicode scalar with its encoded octets and its size in septets or UTF-16 units.
    struct Piece {
        var scalar: Unicode.Scalar
        var octets: [UInt8]
        var units: Int
    }

    static func pieces(of text: String, encoding: SMSEncoding) throws(TextCodingError) -> [Piece] {
        var pieces: [Piece] = []
        pieces.reserveCapacity(text.unicodeScalars.count)
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            switch encoding {
            case .gsm7:
                guard let septets = GSMAlphabet.septets(for: scalar) else {
                    throw .notInGSMAlphabet(character: Character(scalar), offset: offset)
                }
                pieces.append(Piece(scalar: scalar, octets: septets, units: septets.count))
            case .ucs2:
                let octets = UCS2.encode(String(scalar))
                pieces.append(Piece(scalar: scalar, octets: octets, units: octets.count / 2))
            }
        }
        return pieces
    }

    /// Groups pieces greedily so that no group exceeds `limit` units and no piece is divided.
    static func split(_ pieces: [Piece], limit: Int) -> [ArraySlice<Piece>] {
        var groups: [ArraySlice<Piece>] = []
        var start = 0
        var used = 0
        for (index, piece) in pieces.enumerated() {
            if used + piece.units > limit {
                groups.append(pieces[start..<index])
                start = index
                used = 0
            }
            used += piece.units
        }
        groups.append(pieces[start..<pieces.count])
        return groups
    }

    static func makeSegment(
        _ pieces: ArraySlice<Piece>,
        encoding: SMSEncoding,
        sequenceNumber: Int,
        header: UserDataHeader?
    ) -> PlannedSegment {
        var payload: [UInt8] = []
        var scalars = String.UnicodeScalarView()
        var units = 0
        for piece in pieces {
            payload.append(contentsOf: piece.octets)
            scalars.append(piece.scalar)
            units += piece.units
        }
        return PlannedSegment(
            encoding: encoding,
            sequenceNumber: sequenceNumber,
            header: header,
            payload: payload,
            units: units,
            text: String(scalars)
        )
    }
}
