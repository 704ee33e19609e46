import COpenSSL
import Foundation
import Glibc
import OptionalLibraries

/// TLS over one TCP connection, with OpenSSL's libssl driven by one dedicated thread.
///
/// OpenSSL must not read and write one `SSL` object from two threads at once, so a single thread
/// owns it: it polls the socket and a wake-up pipe, moves ciphertext between the socket and two
/// memory BIOs, and runs `SSL_read`/`SSL_write`. Socket writes use `send(2)` with `MSG_NOSIGNAL`,
/// so a peer that vanishes cannot raise `SIGPIPE`. `send(_:)` queues and returns at once.
/// `close(flush:)` sends `close_notify` after the queue is written, or at once without `flush`,
/// and the descriptor is closed when the thread ends. Only the client side exists, because the SMSC listens.
package final class TLSConnection: SMPPTransport, @unchecked Sendable {
    // @unchecked: `lock` guards `queue`, `closing` and `flushBeforeClose`. `ssl`, `inbound`,
    // `outbound` and `pendingCiphertext` belong to the one thread that runs `connect` and then
    // `ioLoop`; the other properties are immutable after init.

    package let incoming: AsyncStream<TransportEvent>
    package let peerDescription: String
    private let descriptor: Int32
    private let ssl: OpaquePointer
    /// Ciphertext from the socket, for OpenSSL to read.
    private let inbound: OpaquePointer
    /// Ciphertext OpenSSL wrote, for the socket.
    private let outbound: OpaquePointer
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let lock = NSLock()
    private var queue: [UInt8] = []
    private var closing = false
    private var flushBeforeClose = true
    private var pendingCiphertext: [UInt8] = []

    private init(
        descriptor: Int32,
        ssl: OpaquePointer,
        inbound: OpaquePointer,
        outbound: OpaquePointer,
        wake: (read: Int32, write: Int32),
        peerDescription: String
    ) {
        self.descriptor = descriptor
        self.ssl = ssl
        self.inbound = inbound
        self.outbound = outbound
        self.wakeRead = wake.read
        self.wakeWrite = wake.write
        self.peerDescription = peerDescription
        (incoming, continuation) = AsyncStream.makeStream(of: TransportEvent.self, bufferingPolicy: .unbounded)
    }

    /// Connects to `host:port` and completes the TLS handshake on a dedicated thread.
    ///
    /// `timeout` bounds the TCP connect and, separately, the handshake. With
    /// `settings.verifiesPeer` the certificate must chain to `settings.caFile` (or the system
    /// store) and name `host`.
    /// - Throws: `TLSConnectionError` naming what failed and how to fix it.
    package static func connect(
        host: String,
        port: UInt16,
        timeout: Duration,
        settings: SMPPTLSSettings
    ) async throws(TLSConnectionError) -> TLSConnection {
        do {
            try OptionalLibrary.openssl.load(for: "SMPP over TLS to \(host):\(port)")
        } catch {
            throw .library(error)
        }
        let result: Result<TLSConnection, TLSConnectionError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    returning: blockingConnect(host: host, port: port, timeout: timeout, settings: settings)
                )
            }
            thread.name = "tls-connect"
            thread.start()
        }
        let connection = try result.get()
        let thread = Thread { [connection] in connection.ioLoop() }
        thread.name = "tls-io"
        thread.start()
        return connection
    }

    package func send(_ bytes: [UInt8]) {
        lock.lock()
        guard !closing else {
            lock.unlock()
            return
        }
        let wasEmpty = queue.isEmpty
        queue.append(contentsOf: bytes)
        lock.unlock()
        if wasEmpty { wake() }
    }

    package func close(flush: Bool = true) {
        lock.lock()
        if !closing {
            closing = true
            flushBeforeClose = flush
        } else if !flush {
            flushBeforeClose = false
        }
        lock.unlock()
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    // MARK: Handshake

    private static func blockingConnect(
        host: String,
        port: UInt16,
        timeout: Duration,
        settings: SMPPTLSSettings
    ) -> Result<TLSConnection, TLSConnectionError> {
        let context: OpaquePointer
        switch makeContext(settings) {
        case .success(let made): context = made
        case .failure(let error): return .failure(error)
        }
        defer { SSL_CTX_free(context) }

        let descriptor: Int32
        switch TCPConnection.connectedSocket(host: host, port: port, timeout: timeout) {
        case .success(let connected): descriptor = connected
        case .failure(let error): return .failure(.connect(error))
        }
        var pipeDescriptors: [Int32] = [0, 0]
        guard pipe(&pipeDescriptors) == 0 else {
            _ = Glibc.close(descriptor)
            return .failure(.connect(.fromErrno("pipe")))
        }
        for pipeDescriptor in pipeDescriptors + [descriptor] {
            _ = fcntl(pipeDescriptor, F_SETFL, fcntl(pipeDescriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(pipeDescriptor, F_SETFD, FD_CLOEXEC)
        }
        guard let ssl = SSL_new(context), let inbound = BIO_new(BIO_s_mem()), let outbound = BIO_new(BIO_s_mem())
        else {
            _ = Glibc.close(descriptor)
            pipeDescriptors.forEach { _ = Glibc.close($0) }
            return .failure(.handshake(host: host, port: port, reason: openSSLErrors(), settings: settings))
        }
        SSL_set_bio(ssl, inbound, outbound)
        SSL_set_connect_state(ssl)
        configureNames(ssl, host: host, verifies: settings.verifiesPeer)

        let connection = TLSConnection(
            descriptor: descriptor,
            ssl: ssl,
            inbound: inbound,
            outbound: outbound,
            wake: (pipeDescriptors[0], pipeDescriptors[1]),
            peerDescription: "\(host):\(port)"
        )
        if let error = connection.handshake(deadline: .now + timeout, host: host, port: port, settings: settings) {
            connection.release()
            return .failure(error)
        }
        return .success(connection)
    }

    /// Makes the context: TLS 1.2 or later, the CAs, and partial writes from a moving buffer.
    private static func makeContext(_ settings: SMPPTLSSettings) -> Result<OpaquePointer, TLSConnectionError> {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            return .failure(.context(reason: openSSLErrors()))
        }
        _ = SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil)
        let mode = Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)
        _ = SSL_CTX_ctrl(context, SSL_CTRL_MODE, mode, nil)
        guard settings.verifiesPeer else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            return .success(context)
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile = settings.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                let reason = FileManager.default.isReadableFile(atPath: caFile) ? openSSLErrors() : String(
                    cString: strerror(FileManager.default.fileExists(atPath: caFile) ? EACCES : ENOENT)
                )
                SSL_CTX_free(context)
                return .failure(.caFile(path: caFile, reason: reason))
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            let reason = openSSLErrors()
            SSL_CTX_free(context)
            return .failure(.context(reason: "failed to load the system CA store: \(reason)"))
        }
        return .success(context)
    }

    /// Sets the name the certificate must carry, and SNI for a DNS name.
    private static func configureNames(_ ssl: OpaquePointer, host: String, verifies: Bool) {
        var address = in6_addr()
        let isIPAddress =
            inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if !isIPAddress {
            host.withCString { name in
                _ = SSL_ctrl(
                    ssl,
                    SSL_CTRL_SET_TLSEXT_HOSTNAME,
                    Int(TLSEXT_NAMETYPE_host_name),
                    UnsafeMutableRawPointer(mutating: name)
                )
            }
        }
        guard verifies else { return }
        if isIPAddress {
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = SSL_set1_host(ssl, host)
        }
    }

    /// Runs the handshake until it completes, fails, or `deadline` passes; returns the failure.
    private func handshake(
        deadline: ContinuousClock.Instant,
        host: String,
        port: UInt16,
        settings: SMPPTLSSettings
    ) -> TLSConnectionError? {
        while true {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            let status = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, result)
            if let error = flushCiphertext() {
                return .handshake(host: host, port: port, reason: Self.droppedReason(error), settings: settings)
            }
            if status == SSL_ERROR_NONE && pendingCiphertext.isEmpty { return nil }
            guard status == SSL_ERROR_NONE || status == SSL_ERROR_WANT_READ else {
                return handshakeFailure(host: host, port: port, settings: settings)
            }
            let remaining = deadline - .now
            guard remaining > .zero else {
                return .handshake(host: host, port: port, reason: "timed out", settings: settings)
            }
            var socket = pollfd(
                fd: descriptor,
                events: Int16(POLLIN) | (pendingCiphertext.isEmpty ? 0 : Int16(POLLOUT)),
                revents: 0
            )
            let ready = retryingOnInterrupt { poll(&socket, 1, milliseconds(remaining)) }
            guard ready >= 0 else { return .connect(.fromErrno("poll")) }
            guard socket.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { continue }
            switch fillFromSocket() {
            case .data, .wouldBlock:
                continue
            case .endOfStream:
                return .handshake(
                    host: host,
                    port: port,
                    reason: "the SMSC closed the connection during the handshake (does this port speak TLS?)",
                    settings: settings
                )
            case .failed(let error):
                return .handshake(host: host, port: port, reason: Self.droppedReason(error), settings: settings)
            }
        }
    }

    /// Describes a socket error in the middle of a handshake, which usually means a plain-TCP port.
    private static func droppedReason(_ error: SocketError) -> String {
        "\(error) during the handshake (does this port speak TLS?)"
    }

    private func handshakeFailure(host: String, port: UInt16, settings: SMPPTLSSettings) -> TLSConnectionError {
        let verifyResult = SSL_get_verify_result(ssl)
        let reason = Self.openSSLErrors()
        guard settings.verifiesPeer, verifyResult != X509_V_OK else {
            return .handshake(host: host, port: port, reason: reason, settings: settings)
        }
        let text = String(cString: X509_verify_cert_error_string(verifyResult))
        if verifyResult == X509_V_ERR_HOSTNAME_MISMATCH || verifyResult == X509_V_ERR_IP_ADDRESS_MISMATCH {
            return .hostMismatch(host: host, port: port)
        }
        return .untrustedCertificate(host: host, port: port, reason: text, caFile: settings.caFile)
    }

    // MARK: Moving ciphertext

    private enum SocketRead {
        case data, wouldBlock, endOfStream
        case failed(SocketError)
    }

    /// Reads what the socket has into the inbound BIO.
    private func fillFromSocket() -> SocketRead {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var readAny = false
        while true {
            let count = retryingOnInterrupt {
                buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            }
            if count > 0 {
                readAny = true
                _ = buffer.withUnsafeBytes { BIO_write(inbound, $0.baseAddress, Int32(count)) }
                continue
            }
            if count == 0 { return .endOfStream }
            if errno == EAGAIN || errno == EWOULDBLOCK { return readAny ? .data : .wouldBlock }
            return .failed(.fromErrno("recv"))
        }
    }

    /// Moves what OpenSSL wrote into `pendingCiphertext` and sends as much of it as the socket takes.
    private func flushCiphertext() -> SocketError? {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while BIO_ctrl_pending(outbound) > 0 {
            let count = chunk.withUnsafeMutableBytes { BIO_read(outbound, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { break }
            pendingCiphertext.append(contentsOf: chunk[0..<Int(count)])
        }
        while !pendingCiphertext.isEmpty {
            let written = retryingOnInterrupt {
                pendingCiphertext.withUnsafeBytes {
                    Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
            }
            if written > 0 {
                pendingCiphertext.removeFirst(written)
                continue
            }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            return .fromErrno("send")
        }
        return nil
    }

    // MARK: Serving

    private func ioLoop() {
        var plaintext: [UInt8] = []
        var readBuffer = [UInt8](repeating: 0, count: 16_384)
        var endError: SocketError?
        var peerEnded = false
        serving: while true {
            drainWakePipe()
            lock.lock()
            plaintext.append(contentsOf: queue)
            queue.removeAll(keepingCapacity: true)
            let isClosing = closing
            let flush = flushBeforeClose
            lock.unlock()
            if isClosing && (!flush || (plaintext.isEmpty && pendingCiphertext.isEmpty)) {
                break serving
            }

            // Encrypt what callers queued; a memory BIO takes all of it.
            while !plaintext.isEmpty {
                ERR_clear_error()
                let count = plaintext.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(min($0.count, 16_384))) }
                guard count > 0 else {
                    guard SSL_get_error(ssl, count) == SSL_ERROR_WANT_READ else {
                        endError = SocketError(call: "SSL_write", code: 0, reason: Self.openSSLErrors())
                        break serving
                    }
                    break
                }
                plaintext.removeFirst(Int(count))
            }

            // Decrypt everything that arrived.
            reading: while true {
                ERR_clear_error()
                let count = readBuffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
                if count > 0 {
                    continuation.yield(.bytes(Array(readBuffer[0..<Int(count)])))
                    continue
                }
                switch SSL_get_error(ssl, count) {
                case SSL_ERROR_WANT_READ:
                    break reading
                case SSL_ERROR_ZERO_RETURN:
                    peerEnded = true
                    break serving
                default:
                    endError = SocketError(call: "SSL_read", code: 0, reason: Self.openSSLErrors())
                    break serving
                }
            }
            if let error = flushCiphertext() {
                endError = error
                break serving
            }

            var descriptors = [
                pollfd(
                    fd: descriptor,
                    events: Int16(POLLIN) | (pendingCiphertext.isEmpty ? 0 : Int16(POLLOUT)),
                    revents: 0
                ),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            guard retryingOnInterrupt({ poll(&descriptors, 2, -1) }) >= 0 else {
                endError = .fromErrno("poll")
                break serving
            }
            if descriptors[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                switch fillFromSocket() {
                case .data, .wouldBlock:
                    break
                case .endOfStream:
                    // Hand over what the last records carried, then end.
                    drainPlaintext(into: &readBuffer)
                    peerEnded = true
                    break serving
                case .failed(let error):
                    endError = error
                    break serving
                }
            }
        }
        lock.lock()
        closing = true
        lock.unlock()
        if !peerEnded && endError == nil {
            // close_notify, best effort: the peer may already be gone.
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            _ = flushCiphertext()
        }
        release()
        continuation.yield(.closed(endError))
        continuation.finish()
    }

    private func drainPlaintext(into buffer: inout [UInt8]) {
        while true {
            ERR_clear_error()
            let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { return }
            continuation.yield(.bytes(Array(buffer[0..<Int(count)])))
        }
    }

    private func drainWakePipe() {
        var sink = [UInt8](repeating: 0, count: 64)
        while sink.withUnsafeMutableBytes({ Glibc.read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Frees the `SSL` (and its BIOs) and closes the socket and the pipe. Called once, by the owning thread.
    private func release() {
        SSL_free(ssl)
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
        _ = Glibc.close(descriptor)
        _ = Glibc.close(wakeRead)
        _ = Glibc.close(wakeWrite)
    }

    /// Empties this thread's OpenSSL error queue into one line.
    private static func openSSLErrors() -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown TLS error" : messages.joined(separator: "; ")
    }

    private func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}

/// A failure to make a TLS connection to the SMSC, with a description that names the fix.
public enum TLSConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The TCP connect failed before TLS started.
    case connect(SocketError)
    /// OpenSSL could not make a context.
    case context(reason: String)
    /// `ca_file` could not be read as PEM certificates.
    case caFile(path: String, reason: String)
    /// The SMSC's certificate does not chain to a trusted CA (`caFile`, or the system store when `nil`).
    case untrustedCertificate(host: String, port: UInt16, reason: String, caFile: String?)
    /// The certificate is valid but issued for another name than `host`.
    case hostMismatch(host: String, port: UInt16)
    /// The handshake failed for another reason (protocol versions, ciphers, a plain-TCP port, a timeout).
    case handshake(host: String, port: UInt16, reason: String, caFile: String?)
    /// OpenSSL could not be loaded; the error names the file and the package to install.
    case library(OptionalLibraryError)

    static func handshake(host: String, port: UInt16, reason: String, settings: SMPPTLSSettings) -> TLSConnectionError {
        .handshake(host: host, port: port, reason: reason, caFile: settings.caFile)
    }

    public var description: String {
        switch self {
        case .connect(let error):
            "\(error)"
        case .context(let reason):
            "TLS setup failed: \(reason)"
        case .caFile(let path, let reason):
            "cannot load ca_file \(path): \(reason); give the path of a PEM file holding the CA certificate "
                + "that signed the SMSC's certificate"
        case .untrustedCertificate(let host, let port, let reason, let caFile?):
            "TLS to \(host):\(port) failed: the SMSC's certificate is not trusted (\(reason)); no CA in "
                + "ca_file \(caFile) signed it. Set ca_file to the CA certificate the carrier issued for this link"
        case .untrustedCertificate(let host, let port, let reason, nil):
            "TLS to \(host):\(port) failed: the SMSC's certificate is not trusted (\(reason)); no CA in the "
                + "system store signed it. Set ca_file to the CA certificate the carrier issued for this link"
        case .hostMismatch(let host, let port):
            "TLS to \(host):\(port) failed: the SMSC's certificate is not issued for \(host); set host to the "
                + "name the certificate carries"
        case .handshake(let host, let port, let reason, _):
            "TLS handshake with \(host):\(port) failed: \(reason)"
        case .library(let error):
            "\(error)"
        }
    }
}
