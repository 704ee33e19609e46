import Foundation
import Glibc

/// One TCP connection driven by two dedicated threads: a reader that blocks in `read(2)` and a
/// writer that drains a queue with `send(2)`, so no blocking call runs on Swift's cooperative pool.
///
/// Received octets and the end of the stream come out of `incoming`; `send(_:)` queues and
/// returns at once. `close()` shuts the socket down after the queue is written (or at once with
/// `flush: false`); the descriptor is closed when both threads have finished. Sockets have
/// `TCP_NODELAY` set, because SMPP exchanges small PDUs that must not wait for Nagle.
package final class TCPConnection: SMPPTransport, @unchecked Sendable {
    // @unchecked: `lock` (an NSCondition) guards `queue`, `closing`, `flushBeforeClose` and
    // `threadsRunning` and `descriptorClosed`; `descriptor` and `incoming` are immutable after init.

    package let incoming: AsyncStream<TransportEvent>
    /// `ip:port` of the peer, for logs.
    package let peerDescription: String
    private let descriptor: Int32
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let lock = NSCondition()
    private var queue: [[UInt8]] = []
    private var closing = false
    private var flushBeforeClose = true
    private var threadsRunning = 2
    private var descriptorClosed = false

    /// Takes ownership of a connected socket and starts its threads.
    package init(descriptor: Int32, peerDescription: String) {
        self.descriptor = descriptor
        self.peerDescription = peerDescription
        var noDelay: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        (incoming, continuation) = AsyncStream.makeStream(of: TransportEvent.self, bufferingPolicy: .unbounded)
        startThread(name: "tcp-read") { $0.readLoop() }
        startThread(name: "tcp-write") { $0.writeLoop() }
    }

    /// Connects to `host:port` on a dedicated thread, trying each address the name resolves to.
    ///
    /// - Throws: `SocketError` from `getaddrinfo`, `socket` or `connect`, or a timeout after `timeout`.
    package static func connect(host: String, port: UInt16, timeout: Duration) async throws(SocketError)
        -> TCPConnection
    {
        let result: Result<TCPConnection, SocketError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: blockingConnect(host: host, port: port, timeout: timeout))
            }
            thread.name = "tcp-connect"
            thread.start()
        }
        return try result.get()
    }

    /// Queues octets for the writer thread; dropped once the connection is closing.
    package func send(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        guard !closing else { return }
        queue.append(bytes)
        lock.signal()
    }

    /// Ends the connection. With `flush`, what was queued is written first.
    package func close(flush: Bool = true) {
        lock.lock()
        if !closing {
            closing = true
            flushBeforeClose = flush
        } else if !flush {
            flushBeforeClose = false
        }
        lock.signal()
        lock.unlock()
        if !flush {
            shutdownIfOpen()
        }
    }

    /// Shuts the socket down both ways unless its descriptor is already closed (and may be reused).
    private func shutdownIfOpen() {
        lock.lock()
        defer { lock.unlock() }
        if !descriptorClosed {
            _ = shutdown(descriptor, Int32(SHUT_RDWR))
        }
    }

    private func startThread(name: String, _ body: @escaping @Sendable (TCPConnection) -> Void) {
        let thread = Thread { [self] in
            body(self)
            threadFinished()
        }
        thread.name = name
        thread.start()
    }

    private func threadFinished() {
        lock.lock()
        defer { lock.unlock() }
        threadsRunning -= 1
        if threadsRunning == 0 {
            descriptorClosed = true
            _ = Glibc.close(descriptor)
        }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = retryingOnInterrupt {
                buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            }
            if count > 0 {
                continuation.yield(.bytes(Array(buffer[0..<count])))
                continue
            }
            let error: SocketError? = count == 0 ? nil : .fromErrno("read")
            // Wake the writer so it does not wait for octets that can no longer go out.
            lock.lock()
            closing = true
            lock.signal()
            lock.unlock()
            shutdownIfOpen()
            continuation.yield(.closed(error))
            continuation.finish()
            return
        }
    }

    private func writeLoop() {
        while true {
            lock.lock()
            while queue.isEmpty && !closing {
                lock.wait()
            }
            if closing && (queue.isEmpty || !flushBeforeClose) {
                lock.unlock()
                shutdownIfOpen()
                return
            }
            let bytes = queue.removeFirst()
            lock.unlock()
            if !writeAll(bytes) {
                close(flush: false)
                return
            }
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = retryingOnInterrupt {
                bytes.withUnsafeBytes {
                    Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private static func blockingConnect(host: String, port: UInt16, timeout: Duration) -> Result<
        TCPConnection, SocketError
    > {
        connectedSocket(host: host, port: port, timeout: timeout).map {
            TCPConnection(descriptor: $0, peerDescription: "\(host):\(port)")
        }
    }

    /// Resolves `host` and connects to the first address that accepts, blocking the calling
    /// thread for at most `timeout` per address. Returns a blocking socket with `TCP_NODELAY` set.
    ///
    /// - Returns: the descriptor, owned by the caller, or the last address's error.
    package static func connectedSocket(host: String, port: UInt16, timeout: Duration) -> Result<Int32, SocketError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(SocketError(call: "getaddrinfo", code: 0, reason: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var lastError = SocketError(call: "connect", code: 0, reason: "no address for \(host)")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            switch connectOne(info.pointee, timeout: timeout) {
            case .success(let descriptor):
                var noDelay: Int32 = 1
                _ = setsockopt(
                    descriptor,
                    Int32(IPPROTO_TCP),
                    TCP_NODELAY,
                    &noDelay,
                    socklen_t(MemoryLayout<Int32>.size)
                )
                return .success(descriptor)
            case .failure(let error):
                lastError = error
            }
        }
        return .failure(lastError)
    }

    /// Connects without blocking, bounded by `poll`, then returns the socket to blocking mode for the threads.
    private static func connectOne(_ info: addrinfo, timeout: Duration) -> Result<Int32, SocketError> {
        let descriptor = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard descriptor >= 0 else { return .failure(.fromErrno("socket")) }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(descriptor, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let error = SocketError.fromErrno("connect")
                _ = Glibc.close(descriptor)
                return .failure(error)
            }
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(
                clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
            )
            let ready = retryingOnInterrupt { poll(&pollDescriptor, 1, milliseconds) }
            guard ready > 0 else {
                _ = Glibc.close(descriptor)
                return .failure(SocketError(call: "connect", code: ETIMEDOUT, reason: "timed out after \(timeout)"))
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                _ = Glibc.close(descriptor)
                return .failure(
                    SocketError(call: "connect", code: socketError, reason: String(cString: strerror(socketError)))
                )
            }
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        return .success(descriptor)
    }
}
