/// `generic_nack`, a header-only PDU that rejects a PDU the receiver could not process.
///
/// `command_status` gives the reason, for example an unknown `command_id` or an invalid length.
public struct GenericNack: Equatable, Sendable {
    public init() {}

    init(reading reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.expectEnd(of: .genericNack)
    }
}
