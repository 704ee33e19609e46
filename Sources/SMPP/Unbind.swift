/// `unbind`, a header-only PDU that ends the session.
///
/// The peer responds with `unbind_resp`, then both sides close the connection.
public struct Unbind: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .unbind)
    }
}
