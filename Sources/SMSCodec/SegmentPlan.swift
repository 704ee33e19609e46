/// The sending plan of a text: its alphabet, sizes and the user data of each segment.
public struct SegmentPlan: Sendable, Equatable {
    /// The alphabet of every segment.
    public var encoding: SMSEncoding
    /// Characters (extended grapheme clusters) in the text, as a person counts them.
    public var characters: Int
    /// Septets (GSM 7-bit, two per extension-table character) or UTF-16 units (UCS-2) of the whole text.
    public var units: Int
    /// The segments in sending order. One with no header when the text fits a single SMS.
    public var segments: [PlannedSegment]

    /// The TP-DCS octet and SMPP data_coding for this plan.
    public var dataCoding: UInt8 { encoding.dataCoding }
}

/// One SMS of a plan: the optional user data header and the text payload.
public struct PlannedSegment: Sendable, Equatable {
    /// The alphabet of `payload`.
    public var encoding: SMSEncoding
    /// Position in the message, from 1.
    public var sequenceNumber: Int
    /// The concatenation header, or nil for a single-segment message.
    public var header: UserDataHeader?
    /// Unpacked septets (GSM 7-bit) or big-endian UTF-16 octets (UCS-2), without the header.
    public var payload: [UInt8]
    /// Septets or UTF-16 units in `payload`.
    public var units: Int
    /// The part of the text this segment carries.
    public var text: String

    /// The header octets (UDHL first), empty when there is no header.
    public var headerBytes: [UInt8] { header?.encoded ?? [] }

    /// Header then payload as one octet string, the SMPP short_message form (data_coding 0 links
    /// that take one septet per octet, or data_coding 8). Set esm_class UDHI when a header is present.
    public var unpackedUserData: [UInt8] { headerBytes + payload }

    /// TP-UD as it goes on the air: header, then fill bits and packed septets (GSM 7-bit) or the
    /// UTF-16 octets (UCS-2).
    public var packedUserData: [UInt8] {
        let header = headerBytes
        switch encoding {
        case .gsm7:
            return header
                + SeptetPacking.pack(payload, fillBits: SeptetPacking.fillBits(afterHeaderOfLength: header.count))
        case .ucs2:
            return header + payload
        }
    }

    /// TP-UDL for `packedUserData`: septets including the header's septets (GSM 7-bit), or octets (UCS-2).
    public var userDataLength: Int {
        let header = headerBytes.count
        switch encoding {
        case .gsm7: return SeptetPacking.headerSeptets(forHeaderOfLength: header) + units
        case .ucs2: return header + payload.count
        }
    }
}
