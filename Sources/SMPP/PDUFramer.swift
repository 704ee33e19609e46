/// Cuts a TCP byte stream into PDU frames by their `command_length`.
///
/// It checks `command_length` against 16...`maximumLength` as soon as four octets are in, so a
/// peer cannot make it buffer without bound. It does not decode bodies: `PDU(decoding:)` does,
/// and a bad body then costs one frame, not the connection. Owned by one reader at a time.
public struct PDUFramer: Sendable {
    /// The largest `command_length` accepted.
    public let maximumLength: UInt32
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumLength: UInt32 = PDU.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    /// Octets received and not yet returned as a frame.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds octets read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame, or `nil` until enough octets have arrived.
    ///
    /// - Throws: `PDUDecodingError.commandLengthOutOfRange`; the stream cannot be re-synchronised
    ///   after it, so the owner closes the connection.
    public mutating func nextFrame() throws(PDUDecodingError) -> [UInt8]? {
        guard bufferedCount >= 4 else { return nil }
        let length =
            UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16
            | UInt32(buffer[start + 2]) << 8 | UInt32(buffer[start + 3])
        guard length >= UInt32(PDUHeader.length), length <= maximumLength else {
            throw .commandLengthOutOfRange(length, maximum: maximumLength)
        }
        guard bufferedCount >= Int(length) else { return nil }
        let frame = Array(buffer[start..<start + Int(length)])
        start += Int(length)
        if start > 4096 {
            buffer.removeFirst(start)
            start = 0
        }
        return frame
    }
}
