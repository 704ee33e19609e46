import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// TCP sockets on 127.0.0.1 for the failure cases: a port without a listener, and a listener
/// that completes the handshake but never reads or responds.
final class LoopbackSocket: @unchecked Sendable {
    // @unchecked: `descriptor` is set once in init and closed once in deinit.
    private let descriptor: Int32
    let port: Int

    /// Binds to 127.0.0.1:0; with `listening`, the kernel accepts connections into the backlog,
    /// where they stay unread and unanswered until the socket closes (a black hole).
    init(listening: Bool) throws {
        let socketType = Int32(SOCK_STREAM.rawValue)
        let descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound, !listening || listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }

    /// Returns a port that was just free on 127.0.0.1 and has no listener: bound, then closed at once.
    static func closedPort() throws -> Int {
        try LoopbackSocket(listening: false).port
    }
}
