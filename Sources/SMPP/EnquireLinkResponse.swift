/// `enquire_link_resp`, the header-only response to `enquire_link`.
///
/// It is exactly 16 octets and echoes the request's `sequence_number`.
public struct EnquireLinkResponse: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .enquireLinkResponse)
    }
}
