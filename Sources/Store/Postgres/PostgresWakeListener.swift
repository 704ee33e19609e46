import Diagnostics
import Foundation

/// A connection that `LISTEN`s on a channel and turns each burst of notifications into an
/// element of `wakeUps`: the PostgreSQL counterpart of `QueueWakeListener`.
///
/// The connection lives on a dedicated thread that sleeps in `poll` on the connection's socket
/// and on a pipe that `close()` writes to. Wake-ups coalesce: `wakeUps` keeps at most one
/// pending element, which is all a dispatcher needs to claim again. When the connection is
/// lost, the thread reconnects with a back-off from 0.1 s doubling to at most 5 s and, once
/// listening again, yields one wake-up, because notifications sent meanwhile were missed.
/// `close()` ends the session, stops the thread and then finishes `wakeUps`; releasing the
/// listener does the same.
public final class PostgresWakeListener: Sendable {
    /// The channel listened on.
    public let channel: String
    /// One element per burst of notifications, and one after each reconnection; finishes on `close()`.
    public let wakeUps: AsyncStream<Void>
    private let reader: Reader

    /// Connects, runs `LISTEN`, and returns once listening, so a notification committed after
    /// this returns is not missed.
    /// - Throws: `PostgresError` when the first connection or the `LISTEN` fails.
    public init(url: String, channel: String, logger: Logger = .disabled) async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.channel = channel
        self.wakeUps = stream
        self.reader = try await Reader.start(url: url, channel: channel, continuation: continuation, logger: logger)
    }

    deinit {
        reader.stop()
    }

    /// Asks the thread to stop, which closes the connection and then finishes `wakeUps`.
    /// Returns at once and is safe to call twice.
    public func close() {
        reader.stop()
    }
}

extension PostgresWakeListener {
    /// The listening thread and the descriptors it owns.
    final class Reader: @unchecked Sendable {
        // @unchecked: `lock` guards `isStopped` and `stopWriter`; the connection and the pipe's read
        // end are used only by the thread, which closes them when it ends.
        private let lock = NSLock()
        private var isStopped = false
        private var stopWriter: Int32
        private let stopReader: Int32

        private init(stopReader: Int32, stopWriter: Int32) {
            self.stopReader = stopReader
            self.stopWriter = stopWriter
        }

        /// Creates the stop pipe, starts the thread and waits until it listens or fails to.
        static func start(
            url: String,
            channel: String,
            continuation: AsyncStream<Void>.Continuation,
            logger: Logger
        ) async throws -> Reader {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                throw PostgresError(code: .connectionFailure, message: "cannot create a pipe: \(String(cString: strerror(errno)))")
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            let reader = Reader(stopReader: ends[0], stopWriter: ends[1])
            let listen = Listen(url: url, channel: channel, continuation: continuation, logger: logger)
            do {
                try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
                    let thread = Thread {
                        reader.run(listen, started: started)
                    }
                    thread.name = "lifeline.postgres-wake"
                    thread.start()
                }
            } catch {
                // The thread has closed the read end; this closes the write end.
                reader.stop()
                throw error
            }
            return reader
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

        /// Runs the thread: reports the first connection to `started`, then listens and reconnects until stopped.
        private func run(_ listen: Listen, started: CheckedContinuation<Void, any Error>) {
            defer {
                Foundation.close(stopReader)
                listen.continuation.finish()
            }
            var connection: PostgresConnection
            do {
                connection = try listen.connect()
            } catch {
                started.resume(throwing: error)
                return
            }
            started.resume()
            while true {
                let lost = waitForNotifications(on: connection, listen: listen)
                connection.close()
                guard lost, let next = reconnect(listen) else { return }
                connection = next
                listen.continuation.yield(())
            }
        }

        /// Yields for each burst of notifications until the connection is lost (returns `true`) or
        /// the listener is stopped (returns `false`).
        private func waitForNotifications(on connection: PostgresConnection, listen: Listen) -> Bool {
            while true {
                // Notifications can arrive with a command's result, before the socket is polled.
                if !connection.takeNotifications().isEmpty {
                    listen.continuation.yield(())
                }
                var descriptors = [
                    pollfd(fd: connection.socketDescriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&descriptors, 2, -1)
                if ready < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                if descriptors[1].revents != 0 { return false }
                guard descriptors[0].revents != 0 else { continue }
                do {
                    try connection.consumeInput()
                } catch {
                    listen.logger.debug("Lost the wake-up connection", metadata: ["store.error": "\(error)"])
                    return true
                }
            }
        }

        /// Connects again with a growing pause between tries; returns `nil` when stopped meanwhile.
        private func reconnect(_ listen: Listen) -> PostgresConnection? {
            var pause = 0.1
            while true {
                var stop = pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0)
                let ready = poll(&stop, 1, Int32(pause * 1000))
                if ready > 0 { return nil }
                do {
                    return try listen.connect()
                } catch {
                    listen.logger.debug(
                        "Reconnecting the wake-up connection failed",
                        metadata: ["store.error": "\(error)", "store.wake.retry_seconds": "\(min(pause * 2, 5))"]
                    )
                }
                pause = min(pause * 2, 5)
            }
        }
    }

    /// The settings the thread connects and reports with.
    struct Listen: Sendable {
        var url: String
        var channel: String
        var continuation: AsyncStream<Void>.Continuation
        var logger: Logger

        func connect() throws -> PostgresConnection {
            let connection = try PostgresConnection(conninfo: url, applicationName: "lifeline.wake")
            try connection.execute(sql: "LISTEN " + PostgresConnection.quotedIdentifier(channel))
            logger.debug("Listening for queue wake-ups", metadata: ["store.wake.channel": channel])
            return connection
        }
    }
}
