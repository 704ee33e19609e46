/// A TP-User-Data-Header (TS 23.040 section 9.2.3.24): information elements before the text.
///
/// `encoded` includes the leading UDHL octet, so its count is the header length TP-UDL covers.
public struct UserDataHeader: Sendable, Hashable {
    /// One information element: identifier (IEI) and data.
    public struct InformationElement: Sendable, Hashable {
        /// The information element identifier, for example 0x00 for 8-bit concatenation.
        public var identifier: UInt8
        /// The element's data, without the IEI and IEDL octets.
        public var data: [UInt8]

        /// Creates an element. Data longer than 255 octets cannot be encoded and is a programmer error.
        public init(identifier: UInt8, data: [UInt8]) {
            precondition(data.count <= 255, "an information element holds at most 255 octets")
            self.identifier = identifier
            self.data = data
        }
    }

    /// The elements in header order.
    public var elements: [InformationElement]

    /// Creates a header from elements.
    public init(elements: [InformationElement]) {
        self.elements = elements
    }

    /// Creates a header holding one concatenation element.
    public init(concatenation: ConcatenationInfo) {
        self.elements = [concatenation.informationElement]
    }

    /// The header octets, starting with UDHL.
    public var encoded: [UInt8] {
        var body: [UInt8] = []
        for element in elements {
            body.append(element.identifier)
            body.append(UInt8(element.data.count))
            body.append(contentsOf: element.data)
        }
        return [UInt8(body.count)] + body
    }

    /// The first usable concatenation element (IEI 0x00 or 0x08), if any.
    ///
    /// An element with a zero total, a zero sequence number or a sequence number above the total
    /// is ignored, as TS 23.040 requires, and the message is then treated as a single part.
    public var concatenation: ConcatenationInfo? {
        for element in elements {
            if let info = ConcatenationInfo(element) { return info }
        }
        return nil
    }

    /// Parses a header from user data that starts with the UDHL octet.
    ///
    /// - Parameter baseOffset: where `userData` starts in the whole PDU, used in error offsets.
    /// - Returns: the header and its length in octets, UDHL included.
    /// - Throws: `PDUDecodingError.truncated` when UDHL or an element length runs past the data.
    public static func parse(
        _ userData: [UInt8],
        baseOffset: Int = 0
    ) throws(PDUDecodingError) -> (header: UserDataHeader, length: Int) {
        var reader = ByteReader(userData)
        let headerLength = Int(try reader.readByte(field: "UDHL"))
        guard headerLength <= reader.remaining else {
            throw .truncated(field: "UDH", offset: baseOffset + 1, needed: headerLength, available: reader.remaining)
        }
        let body = try reader.readBytes(headerLength, field: "UDH")
        var bodyReader = ByteReader(body)
        var elements: [InformationElement] = []
        while !bodyReader.isAtEnd {
            let elementOffset = baseOffset + 1 + bodyReader.offset
            let identifier = try bodyReader.readByte(field: "UDH IEI")
            guard !bodyReader.isAtEnd else {
                throw .truncated(field: "UDH IEDL", offset: elementOffset + 1, needed: 1, available: 0)
            }
            let length = Int(try bodyReader.readByte(field: "UDH IEDL"))
            guard length <= bodyReader.remaining else {
                throw .truncated(
                    field: "UDH IE 0x\(Hex.encode([identifier]))",
                    offset: elementOffset + 2,
                    needed: length,
                    available: bodyReader.remaining
                )
            }
            elements.append(
                InformationElement(identifier: identifier, data: try bodyReader.readBytes(length, field: "UDH IED"))
            )
        }
        return (UserDataHeader(elements: elements), headerLength + 1)
    }
}

/// Concatenation fields of a multipart message (TS 23.040 sections 9.2.3.24.1 and 9.2.3.24.8).
public struct ConcatenationInfo: Sendable, Hashable, Codable {
    /// Width of the concatenated message reference number.
    public enum ReferenceWidth: String, Sendable, Hashable, Codable {
        /// IEI 0x00, a one-octet reference (header of 6 octets with UDHL).
        case eightBit
        /// IEI 0x08, a two-octet reference (header of 7 octets with UDHL).
        case sixteenBit

        /// The information element identifier.
        public var identifier: UInt8 { self == .eightBit ? 0x00 : 0x08 }

        /// The user data header length in octets, UDHL included, with only this element.
        public var headerLength: Int { self == .eightBit ? 6 : 7 }
    }

    /// The element that carries the reference.
    public var referenceWidth: ReferenceWidth
    /// The reference shared by all parts of one message. Only the low 8 bits go into an IEI 0x00.
    public var reference: UInt16
    /// The number of parts, 1...255.
    public var totalParts: UInt8
    /// This part's position, 1...totalParts.
    public var sequenceNumber: UInt8

    /// Creates concatenation fields. An 8-bit reference keeps only the low octet of `reference`.
    public init(referenceWidth: ReferenceWidth, reference: UInt16, totalParts: UInt8, sequenceNumber: UInt8) {
        self.referenceWidth = referenceWidth
        self.reference = referenceWidth == .eightBit ? reference & 0xFF : reference
        self.totalParts = totalParts
        self.sequenceNumber = sequenceNumber
    }

    /// Reads an IEI 0x00 or 0x08 element. Returns nil for other elements, wrong lengths,
    /// and the values TS 23.040 marks to be ignored (zero total, zero or out-of-range sequence).
    public init?(_ element: UserDataHeader.InformationElement) {
        let data = element.data
        switch (element.identifier, data.count) {
        case (0x00, 3):
            self.init(
                referenceWidth: .eightBit,
                reference: UInt16(data[0]),
                totalParts: data[1],
                sequenceNumber: data[2]
            )
        case (0x08, 4):
            self.init(
                referenceWidth: .sixteenBit,
                reference: UInt16(data[0]) << 8 | UInt16(data[1]),
                totalParts: data[2],
                sequenceNumber: data[3]
            )
        default:
            return nil
        }
        guard totalParts > 0, sequenceNumber > 0, sequenceNumber <= totalParts else { return nil }
    }

    /// The element that carries these fields.
    public var informationElement: UserDataHeader.InformationElement {
        switch referenceWidth {
        case .eightBit:
            return .init(identifier: 0x00, data: [UInt8(reference & 0xFF), totalParts, sequenceNumber])
        case .sixteenBit:
            return .init(
                identifier: 0x08,
                data: [UInt8(reference >> 8), UInt8(reference & 0xFF), totalParts, sequenceNumber]
            )
        }
    }
}
