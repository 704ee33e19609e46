/// `enquire_link`, a header-only keep-alive probe.
///
/// The peer responds with `enquire_link_resp`, echoing the `sequence_number`.
public struct EnquireLink: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .enquireLink)
    }
}
