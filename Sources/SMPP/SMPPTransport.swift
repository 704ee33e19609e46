/// An event from a transport's reading side.
package enum TransportEvent: Sendable {
    /// Octets received, in order.
    case bytes([UInt8])
    /// The stream ended: `nil` for an orderly close by either side, else the error that ended it.
    case closed(SocketError?)
}

/// A byte stream to or from the SMSC: plain TCP (`TCPConnection`) or TLS over TCP (`TLSConnection`).
///
/// Implementations do their blocking calls on their own threads: `send(_:)` queues and returns
/// at once, received octets and the end of the stream come out of `incoming`, which finishes
/// after its `.closed` event.
package protocol SMPPTransport: AnyObject, Sendable {
    /// Received octets, then one `.closed`.
    var incoming: AsyncStream<TransportEvent> { get }
    /// `host:port` of the peer, for logs.
    var peerDescription: String { get }
    /// Queues octets for writing; dropped once the transport is closing.
    func send(_ bytes: [UInt8])
    /// Ends the stream. With `flush`, what was queued is written first.
    func close(flush: Bool)
}
