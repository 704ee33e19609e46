/// `unbind`, a header-only PDU. Ends the session; the peer answers `unbind_resp` and both close the connection.
public struct Unbind: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .unbind)
    }
}
