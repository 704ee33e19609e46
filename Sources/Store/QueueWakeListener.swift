import Diagnostics
import Foundation

/// An error that stops a `QueueWakeListener` from starting.
public enum QueueWakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A socket could not be created (`errno` given).
    case socketFailed(errno: Int32)
    /// Another process is already bound to the socket: a second daemon on the same database.
    case alreadyListening(path: String)
    /// Something other than a socket sits at the path; it is left alone.
    case notASocket(path: String)
    /// `bind` failed, for example because the directory is read-only (`errno` given).
    case bindFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .socketFailed(let code):
            "Cannot create the queue wake-up socket: \(String(cString: strerror(code)))."
        case .alreadyListening(let path):
            "Another daemon already listens on \(path) for this queue database. Stop it before starting a second one."
        case .notASocket(let path):
            "\(path) exists and is not a socket. Move that file away so the daemon can create its wake-up socket."
        case .bindFailed(let path, let code):
            "Cannot create the queue wake-up socket \(path): \(String(cString: strerror(code))). "
                + "Give the daemon's user write permission on that directory."
        }
    }
}

/// The daemon's end of the cross-process wake-up: a datagram socket bound at the database's
/// wake path, turning each datagram from a `QueueNotifier` into an element of `wakeUps`.
///
/// A stale socket file left by a daemon that died is removed before binding; a socket another
/// live process is bound to is not (`QueueWakeError.alreadyListening`). The socket gets the
/// database file's permission bits, so whoever may write the queue may wake the daemon.
/// Datagrams are read on a dedicated thread that sleeps in `poll`. Wake-ups coalesce: `wakeUps`
/// keeps at most one pending element, which is all a dispatcher needs to claim again.
/// `close()` ends the stream, stops the thread and removes the socket file; releasing the
/// listener does the same.
public final class QueueWakeListener: Sendable {
    /// The bound socket path; see `QueueWakeAddress` for how it is derived.
    public let socketPath: String
    /// One element per burst of wake-ups; finishes on `close()`.
    public let wakeUps: AsyncStream<Void>
    private let reader: Reader

    /// Binds the wake-up socket for the database at `databasePath` and starts reading.
    /// - Throws: `QueueWakeError`.
    public init(databasePath: String, logger: Logger = .disabled) throws {
        let path = QueueWakeAddress.socketPath(forDatabase: databasePath)
        let descriptor = try Self.bind(path)
        if let mode = Self.permissionBits(of: databasePath) {
            chmod(path, mode)
        }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.socketPath = path
        self.wakeUps = stream
        do {
            self.reader = try Reader(descriptor: descriptor, path: path, continuation: continuation)
        } catch {
            Foundation.close(descriptor)
            unlink(path)
            throw error
        }
        logger.debug("Listening for queue wake-ups", metadata: ["store.wake.path": path])
    }

    deinit {
        reader.stop()
    }

    /// Asks the reading thread to stop, which removes the socket file and then finishes `wakeUps`.
    /// Returns at once and is safe to call twice.
    public func close() {
        reader.stop()
    }

    private static func permissionBits(of path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o666
    }

    private static func bind(_ path: String) throws -> Int32 {
        try removeStaleSocket(at: path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw QueueWakeError.socketFailed(errno: errno) }
        var address = QueueWakeAddress.socketAddress(path)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Foundation.close(descriptor)
            if code == EADDRINUSE { throw QueueWakeError.alreadyListening(path: path) }
            throw QueueWakeError.bindFailed(path: path, errno: code)
        }
        return descriptor
    }

    /// Removes a socket file no process is bound to, and rejects a live socket or a file that is not a socket.
    private static func removeStaleSocket(at path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw QueueWakeError.notASocket(path: path) }

        // A datagram socket accepts `connect` only while some process is bound to it.
        let probe = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw QueueWakeError.socketFailed(errno: errno) }
        defer { Foundation.close(probe) }
        var address = QueueWakeAddress.socketAddress(path)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 { throw QueueWakeError.alreadyListening(path: path) }
        unlink(path)
    }
}

extension QueueWakeListener {
    /// The reading thread and the descriptors it owns.
    ///
    /// The thread polls the socket and the read end of a pipe. `stop()` writes to the pipe, so the
    /// thread wakes, closes both descriptors, removes the socket file and finishes the stream.
    final class Reader: @unchecked Sendable {
        // @unchecked: `lock` guards `isStopped` and `stopWriter`; the socket and the pipe's read
        // end are used only by the thread, which closes them when it ends.
        private let lock = NSLock()
        private var isStopped = false
        private var stopWriter: Int32

        init(descriptor: Int32, path: String, continuation: AsyncStream<Void>.Continuation) throws {
            var pipeEnds: [Int32] = [0, 0]
            guard pipe(&pipeEnds) == 0 else { throw QueueWakeError.socketFailed(errno: errno) }
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            let stopReader = pipeEnds[0]
            stopWriter = pipeEnds[1]
            let thread = Thread {
                Reader.readLoop(descriptor: descriptor, stopReader: stopReader, continuation: continuation)
                Foundation.close(descriptor)
                Foundation.close(stopReader)
                unlink(path)
                // Finishing last means a consumer whose stream has ended finds the socket file removed.
                continuation.finish()
            }
            thread.name = "lifeline.queue-wake"
            thread.start()
        }

        func stop() {
            lock.lock()
            defer { lock.unlock() }
            guard !isStopped else { return }
            isStopped = true
            var byte: UInt8 = 0
            _ = write(stopWriter, &byte, 1)
            Foundation.close(stopWriter)
            stopWriter = -1
        }

        private static func readLoop(
            descriptor: Int32,
            stopReader: Int32,
            continuation: AsyncStream<Void>.Continuation
        ) {
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                var descriptors = [
                    pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&descriptors, 2, -1)
                if ready < 0 {
                    if errno == EINTR { continue }
                    return
                }
                if descriptors[1].revents != 0 { return }
                guard descriptors[0].revents & Int16(POLLIN) != 0 else {
                    if descriptors[0].revents != 0 { return }
                    continue
                }
                // Drain every queued datagram; a burst of notifications yields one wake-up.
                while recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT)) >= 0 {}
                continuation.yield(())
            }
        }
    }
}
