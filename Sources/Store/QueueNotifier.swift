import Foundation

/// Tells a daemon that the queue has new work, by sending a one-byte datagram to the daemon's
/// `QueueWakeListener` socket for the same database.
///
/// `notify()` never blocks and never fails. The datagram is dropped when no listener is bound
/// (no socket file, or a stale one), which is harmless because a daemon claims at start-up, and
/// when the receive buffer is full, which means a wake-up is already pending. Call it only after
/// the commit it announces.
/// The socket path follows `QueueWakeAddress.socketPath(forDatabase:)`, including its `/tmp`
/// fallback for long paths.
public final class QueueNotifier: Sendable {
    /// The listener's socket path.
    public let socketPath: String
    private let descriptor: Int32

    public init(databasePath: String) {
        self.socketPath = QueueWakeAddress.socketPath(forDatabase: databasePath)
        self.descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit {
        if descriptor >= 0 { Foundation.close(descriptor) }
    }

    /// Sends one wake-up byte, or does nothing when no listener can take it.
    public func notify() {
        guard descriptor >= 0 else { return }
        var address = QueueWakeAddress.socketAddress(socketPath)
        var byte: UInt8 = 1
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(
                    descriptor,
                    &byte,
                    1,
                    Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL),
                    socketAddress,
                    socklen_t(MemoryLayout<sockaddr_un>.size)
                )
            }
        }
    }
}
