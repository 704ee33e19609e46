/// `unbind_resp`, a header-only PDU that confirms an `unbind`.
///
/// The side that sent `unbind` then closes the connection.
public struct UnbindResponse: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .unbindResponse)
    }
}
