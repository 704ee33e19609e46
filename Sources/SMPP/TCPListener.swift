import Foundation
import Glibc

/// A listening TCP socket on IPv4 with an accept loop on a dedicated thread.
///
/// Accepted connections come out of `connections` as `TCPConnection`s. `close()` stops the
/// loop: the port stops accepting at once (new connects are refused) and the stream finishes.
/// Connections already accepted are not affected.
package final class TCPListener: @unchecked Sendable {
    // @unchecked: `lock` guards `closed`; the rest is immutable after init.

    /// The port bound, useful after binding port 0.
    package let port: UInt16
    package let connections: AsyncStream<TCPConnection>
    private let descriptor: Int32
    private let continuation: AsyncStream<TCPConnection>.Continuation
    private let lock = NSLock()
    private var closed = false

    /// Binds `address:port` (port 0 picks a free one) and starts accepting.
    ///
    /// - Throws: `SocketError` from `socket`, `bind` or `listen`.
    package init(address: String = "127.0.0.1", port: UInt16 = 0, backlog: Int32 = 16) throws(SocketError) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .fromErrno("socket") }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            _ = Glibc.close(descriptor)
            throw SocketError(call: "inet_pton", code: EINVAL, reason: "not an IPv4 address: \(address)")
        }
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = SocketError.fromErrno("bind")
            _ = Glibc.close(descriptor)
            throw error
        }
        guard listen(descriptor, backlog) == 0 else {
            let error = SocketError.fromErrno("listen")
            _ = Glibc.close(descriptor)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.descriptor = descriptor
        (connections, continuation) = AsyncStream.makeStream(of: TCPConnection.self, bufferingPolicy: .unbounded)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "tcp-accept"
        thread.start()
    }

    /// Stops accepting; the port is released once the accept thread has returned.
    package func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        // shutdown wakes the thread blocked in accept(2) on Linux.
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let accepted = retryingOnInterrupt {
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(descriptor, $0, &length) }
                }
            }
            lock.lock()
            let stop = closed
            lock.unlock()
            if accepted < 0 || stop {
                if accepted >= 0 { _ = Glibc.close(accepted) }
                if accepted < 0 && errno == ECONNABORTED && !stop {
                    continue
                }
                break
            }
            _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &peer.sin_addr, &text, socklen_t(INET_ADDRSTRLEN))
            let address = String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let peerDescription = address + ":\(UInt16(bigEndian: peer.sin_port))"
            continuation.yield(TCPConnection(descriptor: accepted, peerDescription: peerDescription))
        }
        _ = Glibc.close(descriptor)
        continuation.finish()
    }
}
