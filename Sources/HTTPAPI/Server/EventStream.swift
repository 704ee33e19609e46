import Foundation

/// The bytes of one streamed response, such as server-sent events, between a producer task and
/// the connection's thread.
///
/// The producer calls `send(_:)` and finally `close()`. The connection's thread calls `read(into:)`,
/// which waits up to `idleWait` for bytes and then returns what it has; after `close()` it drains
/// what is left and ends the stream. `onFinish` runs once when the connection is done with the
/// stream (the client left, or the stream ended), so the producer can stop and free its slot.
/// At most `maxBuffered` bytes wait; beyond that the oldest bytes are dropped, so a client that
/// reads slowly costs bounded memory.
final class EventStream: @unchecked Sendable {
    // @unchecked: `condition` guards `buffer`, `closed`, `finished` and `finishHandlers`.
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var closed = false
    private var finished = false
    private var finishHandlers: [@Sendable () -> Void] = []
    /// How long a read waits for bytes before it returns a keep-alive comment.
    let idleWait: TimeInterval
    /// The maximum number of bytes held for a client that has not read them yet.
    let maxBuffered: Int

    init(idleWait: TimeInterval = 15, maxBuffered: Int = 1 << 20) {
        self.idleWait = idleWait
        self.maxBuffered = maxBuffered
    }

    /// Queues bytes for the client; ignored after `close()` or once the client has left.
    func send(_ bytes: [UInt8]) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, !finished else { return }
        buffer += bytes
        if buffer.count > maxBuffered { buffer.removeFirst(buffer.count - maxBuffered) }
        condition.signal()
    }

    /// Ends the stream once the queued bytes are read.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the client is gone or the stream was closed.
    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished || closed
    }

    /// Registers work to run once when the connection is done with the stream; runs it at once
    /// when that has already happened.
    func onFinish(_ handler: @escaping @Sendable () -> Void) {
        condition.lock()
        if finished {
            condition.unlock()
            handler()
            return
        }
        finishHandlers.append(handler)
        condition.unlock()
    }

    /// Copies up to `capacity` bytes to `destination`, waiting up to `idleWait` for some.
    ///
    /// Called only on the connection's thread. Returns the byte count, or `nil` at the end of the
    /// stream. With nothing to send after the wait it writes an SSE comment line, which keeps
    /// proxies from closing an idle stream.
    func read(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: idleWait)
        while buffer.isEmpty, !closed {
            if !condition.wait(until: deadline) { break }
        }
        if buffer.isEmpty {
            if closed { return nil }
            buffer = Array(":\n\n".utf8)
        }
        let count = min(capacity, buffer.count)
        buffer.withUnsafeBufferPointer { source in
            destination.update(from: source.baseAddress!, count: count)
        }
        buffer.removeFirst(count)
        return count
    }

    /// Called by the server when the connection no longer reads the stream.
    func finish() {
        condition.lock()
        guard !finished else {
            condition.unlock()
            return
        }
        finished = true
        let handlers = finishHandlers
        finishHandlers = []
        condition.broadcast()
        condition.unlock()
        for handler in handlers { handler() }
    }
}
