import Diagnostics
import Foundation

/// Runs AT commands over a transport, one at a time, on a thread of its own.
///
/// The channel thread owns the transport: it writes each command, reads and classifies every
/// line, hands unsolicited codes to `onUnsolicited` (also when they arrive between a command
/// and its response or after its `OK`), and resumes the caller when a final result code arrives.
/// `+CME ERROR`, `+CMS ERROR` and `ERROR` end a command just like `OK`. Commands wait in a FIFO
/// queue; each has its own timeout, measured from the moment it is written.
///
/// When the transport fails or hangs up, every pending command fails with `.portFailed`,
/// `onFailure` is called once and the thread ends. `close()` fails pending commands with
/// `.closed` and releases the transport. A cancelled caller task does not abort its command,
/// which still ends by its timeout.
///
/// NOTE: a response that arrives after its command timed out can complete the next queued
/// command. `ModemSession` therefore recovers (and reopens the port) before its next operation.
public final class ATChannel: @unchecked Sendable {
    // @unchecked: `queue`, `state` and `exitWaiters` are guarded by `lock`; `parser`, `active`
    // and the transport's read/write side are touched only by the channel thread.

    /// Called on the channel thread for each unsolicited code; must return quickly.
    public typealias UnsolicitedHandler = @Sendable (UnsolicitedResultCode) -> Void
    /// Called once on the channel thread when the transport fails.
    public typealias FailureHandler = @Sendable (SerialPortError) -> Void

    private enum State { case running, closing, finished }

    private let transport: any ATTransport
    private let logger: Logger
    private let onUnsolicited: UnsolicitedHandler
    private let onFailure: FailureHandler

    private let lock = NSLock()
    private var queue: [ATRequest] = []
    private var state = State.running
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private var sharedStatistics = ATInputStatistics()

    private var parser = ATInputParser()
    private var active: ATRequest?

    /// Starts the channel thread on `transport`.
    ///
    /// - Parameters:
    ///   - transport: an open port; the channel closes it when it ends.
    ///   - logger: wire bytes at `trace`, dropped input and stray lines at `debug`.
    ///   - onUnsolicited: receives unsolicited codes in arrival order.
    ///   - onFailure: learns of a port failure once; not called after `close()`.
    public init(
        transport: any ATTransport,
        logger: Logger,
        onUnsolicited: @escaping UnsolicitedHandler,
        onFailure: @escaping FailureHandler = { _ in }
    ) {
        self.transport = transport
        var logger = logger
        logger[metadataKey: "modem.device"] = transport.name
        self.logger = logger
        self.onUnsolicited = onUnsolicited
        self.onFailure = onFailure
        let thread = Thread { [self] in runLoop() }
        thread.name = "at-channel \(transport.name)"
        thread.start()
    }

    /// Input the parser dropped or repaired so far (NUL bytes, overlong lines, bad UTF-8).
    public var statistics: ATInputStatistics {
        lock.withLock { sharedStatistics }
    }

    /// Writes `command` followed by CR and returns its response once a final result code arrives.
    ///
    /// An error result (`ERROR`, `+CME ERROR`, `+CMS ERROR`) is returned in `ATResponse.final`,
    /// not thrown. The timeout starts when the command is written, after earlier commands ended.
    /// - Throws: `ATChannelError.timedOut`, `.closed`, `.portFailed` or `.invalidCommand`.
    public func execute(_ command: String, timeout: Duration) async throws(ATChannelError) -> ATResponse {
        try await submit(ATRequest(command: command, payload: nil, timeout: timeout))
    }

    /// Sends one SMS in PDU mode: `AT+CMGS=<tpduLength>`, waits for the `> ` prompt, then writes
    /// `pduHex` and Ctrl-Z and waits for `+CMGS: <mr>` and the final result.
    ///
    /// A final result before the prompt (`+CMS ERROR: 304`) ends the send at once. When the
    /// timeout passes while the prompt is outstanding, ESC is written to leave the prompt.
    /// - Parameters:
    ///   - pduHex: the PDU in hex, starting with the SMSC length octet.
    ///   - tpduLength: the TPDU length in octets, without the SMSC part.
    ///   - timeout: for the whole exchange; the network's reply can take tens of seconds.
    public func sendMessage(pduHex: String, tpduLength: Int, timeout: Duration) async throws(ATChannelError)
        -> ATResponse
    {
        try await submit(ATRequest(command: "AT+CMGS=\(tpduLength)", payload: pduHex, timeout: timeout))
    }

    /// Fails pending commands with `.closed`, stops the thread and closes the transport.
    ///
    /// Returns once the transport is closed, so the device can be opened again right after.
    public func close() async {
        let alreadyFinished: Bool = lock.withLock {
            if state == .running { state = .closing }
            return state == .finished
        }
        if alreadyFinished { return }
        transport.wake()
        await withCheckedContinuation { continuation in
            let finished: Bool = lock.withLock {
                if state == .finished { return true }
                exitWaiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }

    private func submit(_ request: ATRequest) async throws(ATChannelError) -> ATResponse {
        let forbidden: Set<Character> = ["\r", "\n", "\u{1A}"]
        guard !request.command.contains(where: forbidden.contains),
            !(request.payload ?? "").contains(where: forbidden.contains)
        else { throw .invalidCommand(request.command) }

        let result = await withCheckedContinuation { continuation in
            request.continuation = continuation
            let accepted: Bool = lock.withLock {
                guard state == .running else { return false }
                queue.append(request)
                return true
            }
            if accepted {
                transport.wake()
            } else {
                continuation.resume(returning: .failure(.closed))
            }
        }
        return try result.get()
    }

    // MARK: - Channel thread

    private func runLoop() {
        var failure: SerialPortError?
        while failure == nil, !isClosing() {
            do throws(SerialPortError) {
                try startNextIfIdle()
                let bytes = try transport.read(timeout: active.map { $0.deadline - ContinuousClock.now })
                if !bytes.isEmpty { try handle(bytes) }
                try expireActive()
            } catch {
                failure = error
            }
        }
        finish(failure: failure)
    }

    private func isClosing() -> Bool {
        lock.withLock { state != .running }
    }

    private func startNextIfIdle() throws(SerialPortError) {
        guard active == nil else { return }
        guard let next = lock.withLock({ queue.isEmpty ? nil : queue.removeFirst() }) else { return }
        active = next
        next.deadline = ContinuousClock.now + next.timeout
        parser.responsePrefix = ATChannel.responsePrefix(of: next.command)
        parser.echoCandidates = [next.command]
        parser.expectingPrompt = next.payload != nil
        try write(next.command + "\r")
    }

    private func handle(_ bytes: [UInt8]) throws(SerialPortError) {
        if logger.logLevel <= .trace {
            // An echo of AT+CPIN="..." would carry the PIN.
            let entersPIN = active.map { ATChannel.loggable($0.command) != $0.command } ?? false
            let text = entersPIN ? "<masked during PIN entry>" : String(decoding: bytes, as: UTF8.self).debugDescription
            logger.trace("Modem bytes received", metadata: ["modem.rx": text])
        }
        let before = parser.statistics
        let lines = parser.feed(bytes)
        let after = parser.statistics
        if after != before {
            lock.withLock { sharedStatistics = after }
            logger.debug(
                "Modem input dropped or repaired",
                metadata: ["modem.input.dropped": "\(after.total - before.total)"]
            )
        }
        for line in lines {
            try handle(line)
        }
    }

    private func handle(_ line: ATLine) throws(SerialPortError) {
        switch line {
        case .unsolicited(let code):
            logger.trace("Unsolicited code received", metadata: ["modem.urc": code.text])
            onUnsolicited(code)
        case .echo(let text):
            logger.trace("Echo discarded", metadata: ["modem.echo": ATChannel.loggable(text)])
        case .prompt:
            try handlePrompt()
        case .information(let text):
            guard let request = active else {
                logger.debug("Line outside any command ignored", metadata: ["modem.line": text])
                return
            }
            request.lines.append(text)
        case .final(let result):
            guard let request = active else {
                logger.debug("Final result outside any command ignored", metadata: ["modem.line": "\(result)"])
                return
            }
            complete(request, with: .success(ATResponse(command: request.command, lines: request.lines, final: result)))
        }
    }

    private func handlePrompt() throws(SerialPortError) {
        guard let request = active, let payload = request.payload, !request.payloadWritten else {
            logger.debug("Prompt outside a message send ignored")
            return
        }
        request.payloadWritten = true
        parser.expectingPrompt = false
        parser.echoCandidates = [request.command, payload]
        try write(payload + "\u{1A}")
    }

    private func expireActive() throws(SerialPortError) {
        guard let request = active, ContinuousClock.now >= request.deadline else { return }
        if request.payload != nil, !request.payloadWritten {
            // ESC leaves the prompt without sending, so the modem takes commands again.
            try write("\u{1B}")
        }
        logger.debug("Command timed out", metadata: ["modem.command": ATChannel.loggable(request.command)])
        complete(
            request,
            with: .failure(.timedOut(command: ATChannel.loggable(request.command), after: request.timeout))
        )
    }

    private func complete(_ request: ATRequest, with result: Result<ATResponse, ATChannelError>) {
        active = nil
        parser.responsePrefix = nil
        parser.echoCandidates = []
        parser.expectingPrompt = false
        request.continuation?.resume(returning: result)
        request.continuation = nil
    }

    private func write(_ text: String) throws(SerialPortError) {
        if logger.logLevel <= .trace {
            logger.trace("Modem bytes sent", metadata: ["modem.tx": ATChannel.loggable(text).debugDescription])
        }
        try transport.write(Array(text.utf8))
    }

    private func finish(failure: SerialPortError?) {
        let error: ATChannelError = failure.map { .portFailed($0) } ?? .closed
        if let request = active { complete(request, with: .failure(error)) }
        transport.close()
        let (pending, waiters, wasRunning): ([ATRequest], [CheckedContinuation<Void, Never>], Bool) = lock.withLock {
            let wasRunning = state == .running
            state = .finished
            defer {
                queue = []
                exitWaiters = []
            }
            return (queue, exitWaiters, wasRunning)
        }
        for request in pending { request.continuation?.resume(returning: .failure(error)) }
        if let failure, wasRunning {
            logger.debug("Modem port failed", metadata: ["modem.error": failure.description])
            onFailure(failure)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Derives the information prefix of a command's response: `+CREG:` for `AT+CREG?`, `nil` for `ATE0`.
    static func responsePrefix(of command: String) -> String? {
        let upper = command.uppercased()
        guard upper.hasPrefix("AT+") || upper.hasPrefix("AT^") else { return nil }
        let name = upper.dropFirst(2).prefix { $0 != "=" && $0 != "?" }
        return name.count > 1 ? String(name) + ":" : nil
    }

    /// `command` with a PIN masked, so that `AT+CPIN="1234"` never reaches a log.
    static func loggable(_ command: String) -> String {
        command.uppercased().hasPrefix("AT+CPIN=") ? "AT+CPIN=<masked>" : command
    }
}

/// One command waiting in or running on an `ATChannel`. Touched by the channel thread after it
/// is queued; the submitting task only sets `continuation` before queueing it.
final class ATRequest: @unchecked Sendable {
    // @unchecked: handed from the submitting task to the channel thread through the channel's lock,
    // then used by the channel thread alone.
    let command: String
    let payload: String?
    let timeout: Duration
    var deadline = ContinuousClock.now
    var lines: [String] = []
    var payloadWritten = false
    var continuation: CheckedContinuation<Result<ATResponse, ATChannelError>, Never>?

    init(command: String, payload: String?, timeout: Duration) {
        self.command = command
        self.payload = payload
        self.timeout = timeout
    }
}
