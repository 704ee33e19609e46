/// `enquire_link_resp`, a header-only PDU. Answers `enquire_link`: exactly 16 octets, echoing the request's `sequence_number`.
public struct EnquireLinkResponse: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .enquireLinkResponse)
    }
}
