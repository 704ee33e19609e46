/// `generic_nack`, a header-only PDU. Rejects a PDU the receiver could not take (unknown `command_id`, bad length); `command_status` says why.
public struct GenericNack: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .genericNack)
    }
}
