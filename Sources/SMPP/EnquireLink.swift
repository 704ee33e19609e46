/// `enquire_link`, a header-only PDU. A keep-alive probe; the peer answers `enquire_link_resp` echoing the `sequence_number`.
public struct EnquireLink: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .enquireLink)
    }
}
