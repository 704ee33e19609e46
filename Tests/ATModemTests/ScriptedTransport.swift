import ATModem
import Foundation

/// A transport that answers written commands from a script, for channel tests without a port.
///
/// Each written chunk is matched against the next expected text; on a match its reply bytes
/// become readable. Unmatched writes are recorded and answered with nothing.
final class ScriptedTransport: ATTransport, @unchecked Sendable {
    // @unchecked: every stored property is guarded by `condition`.
    let name = "scripted"
    private let condition = NSCondition()
    private var script: [(expect: String, reply: String)]
    private var pending: [UInt8] = []
    private var woken = false
    private var isClosed = false
    private var writes: [String] = []

    init(_ script: [(expect: String, reply: String)]) {
        self.script = script
    }

    /// Everything written so far, one entry per write.
    var written: [String] {
        condition.withLock { writes }
    }

    /// Makes `text` readable now, as if the modem sent it unprompted.
    func inject(_ text: String) {
        condition.withLock {
            pending += Array(text.utf8)
            condition.broadcast()
        }
    }

    func read(timeout: Duration?) throws(SerialPortError) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map {
            Date().addingTimeInterval(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18)
        }
        while pending.isEmpty && !woken && !isClosed {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        if isClosed { throw .closed(path: name) }
        woken = false
        defer { pending = [] }
        return pending
    }

    func write(_ bytes: [UInt8]) throws(SerialPortError) {
        condition.lock()
        defer { condition.unlock() }
        let text = String(decoding: bytes, as: UTF8.self)
        writes.append(text)
        if let next = script.first, next.expect == text {
            script.removeFirst()
            pending += Array(next.reply.utf8)
            condition.broadcast()
        }
    }

    func wake() {
        condition.withLock {
            woken = true
            condition.broadcast()
        }
    }

    func close() {
        condition.withLock {
            isClosed = true
            condition.broadcast()
        }
    }
}

/// Collects unsolicited codes from a channel's thread into a stream.
struct UnsolicitedRecorder: Sendable {
    let stream: AsyncStream<UnsolicitedResultCode>
    private let sink: AsyncStream<UnsolicitedResultCode>.Continuation

    init() {
        (stream, sink) = AsyncStream.makeStream(of: UnsolicitedResultCode.self)
    }

    /// The handler to give the channel.
    var handler: ATChannel.UnsolicitedHandler {
        let sink = sink
        return { sink.yield($0) }
    }

    /// The first `count` codes, or fewer when `limit` passes first.
    func first(_ count: Int, within limit: Duration = .seconds(10)) async -> [UnsolicitedResultCode] {
        let stream = stream
        return await withDeadline(limit) {
            var codes: [UnsolicitedResultCode] = []
            for await code in stream {
                codes.append(code)
                if codes.count == count { break }
            }
            return codes
        } ?? []
    }
}

/// Runs `operation` and returns its result, or `nil` when `limit` passes first (it is then cancelled).
func withDeadline<Value: Sendable>(
    _ limit: Duration,
    _ operation: @escaping @Sendable () async -> Value
) async -> Value? {
    await withTaskGroup(of: Value?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
