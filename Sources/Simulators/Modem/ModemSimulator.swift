import Diagnostics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A GSM modem on a pseudo terminal that answers AT commands like a USB stick, for tests and demos.
///
/// `start()` opens a pty pair and returns the slave path (`/dev/pts/N`) for the client; the
/// simulator keeps only the master side and answers on its own thread. Knobs change behaviour
/// while it runs (fail the next send, hang, change registration). When the client closes the
/// port the simulator drops partial input and, unless told otherwise, forgets a hang, like a
/// modem whose DTR dropped. `stop()` ends the thread and closes the master, which the client
/// sees as a hang-up.
public final class ModemSimulator: @unchecked Sendable {
    // @unchecked: `state` and `stopping` are guarded by `lock`. `master`, the wake pipe, `slavePath`
    // and `threadRunning` are set in `start()` before the thread starts and cleared by `stop()`
    // after it ended, and callers make both calls from one task or thread.

    let lock = NSLock()
    var state: ModemSimulatorState
    let logger: Logger

    private var master: Int32 = -1
    private var wakeReader: Int32 = -1
    private var wakeWriter: Int32 = -1
    private var stopping = false
    private var slavePath: String?
    private let finished = DispatchSemaphore(value: 0)
    private var threadRunning = false

    /// Creates a simulator; nothing is opened until `start()`.
    public init(profile: ModemSimulatorProfile = ModemSimulatorProfile(), logger: Logger = .disabled) {
        state = ModemSimulatorState(profile: profile)
        self.logger = logger
    }

    deinit {
        stop()
    }

    /// Opens the pseudo terminal and starts answering. Returns the slave path for the client.
    ///
    /// Calling it again returns the same path.
    /// - Throws: `ModemSimulatorError` when no pseudo terminal can be opened.
    @discardableResult
    public func start() throws(ModemSimulatorError) -> String {
        if let slavePath { return slavePath }
        var masterFD: Int32 = -1
        var slaveFD: Int32 = -1
        var settings = termios()
        cfmakeraw(&settings)
        var nameBuffer = [CChar](repeating: 0, count: 4096)
        guard openpty(&masterFD, &slaveFD, &nameBuffer, &settings, nil) == 0 else {
            throw .ptyUnavailable(errno: errno)
        }
        let name = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The client owns the only slave descriptor, so its close reaches us as a hang-up.
        _ = Glibc.close(slaveFD)
        _ = fcntl(masterFD, F_SETFL, O_NONBLOCK)

        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            _ = Glibc.close(masterFD)
            throw .ptyUnavailable(errno: errno)
        }
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        master = masterFD
        wakeReader = ends[0]
        wakeWriter = ends[1]
        slavePath = name
        threadRunning = true

        let thread = Thread { [self] in
            runLoop()
            finished.signal()
        }
        thread.name = "modem-simulator"
        thread.start()
        logger.debug("Modem simulator started", metadata: ["modem.device": name])
        return name
    }

    /// The slave path clients open, once started.
    public var path: String? { slavePath }

    /// Stops the thread and closes the master side. Safe to call twice, but from the thread or task that
    /// called `start()`.
    public func stop() {
        guard threadRunning else { return }
        threadRunning = false
        lock.withLock { stopping = true }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWriter, &byte, 1)
        finished.wait()
        _ = Glibc.close(master)
        _ = Glibc.close(wakeReader)
        _ = Glibc.close(wakeWriter)
        master = -1
    }

    // MARK: - Knobs

    /// Every PDU received through `AT+CMGS`, SMSC field included, oldest first.
    public var receivedPDUs: [[UInt8]] { lock.withLock { state.receivedPDUs } }

    /// Every command line received, oldest first (PIN entries included, as typed).
    public var receivedCommands: [String] { lock.withLock { state.receivedCommands } }

    /// Makes the next `AT+CMGS` end with `+CMS ERROR: <code>` after the PDU.
    public func failNextSend(cmsCode: Int) {
        lock.withLock { state.failNextSend = cmsCode }
    }

    /// Stops answering. The hang ends when the client reopens the port, or, with
    /// `outlastsReopen`, only when the client sends `AT+CFUN=1,1` (which is still obeyed).
    public func hang(outlastsReopen: Bool = false) {
        lock.withLock {
            state.hung = true
            state.hangOutlastsReopen = outlastsReopen
        }
    }

    /// Changes `<stat>` of `+CREG`/`+CEREG` (1 home, 0 not registered, 3 denied).
    public func setRegistration(_ stat: Int) {
        lock.withLock { state.profile.registration = stat }
    }

    /// Changes TP-ST of the status reports generated from now on.
    public func setStatusReportStatus(_ status: UInt8) {
        lock.withLock { state.profile.statusReportStatus = status }
    }

    /// Writes an unsolicited line such as `+CMTI: "SM",4` to the client now.
    public func sendUnsolicited(_ line: String) {
        lock.withLock { state.scheduled.append((ContinuousClock.now, Array("\r\n\(line)\r\n".utf8))) }
        wakeThread()
    }

    /// Makes the simulator thread look at its scheduled output now.
    func wakeThread() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWriter, &byte, 1)
    }

    // MARK: - Thread

    private func runLoop() {
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !lock.withLock({ stopping }) {
            var fds = [
                pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, nextTimeout())
            if fds[1].revents != 0 {
                while Glibc.read(wakeReader, &buffer, buffer.count) > 0 {}
            }
            let events = Int32(fds[0].revents)
            if events & POLLIN != 0 {
                let count = Glibc.read(master, &buffer, buffer.count)
                if count > 0 {
                    write(lock.withLock { process(Array(buffer[0..<count])) })
                } else if count < 0 && errno == EIO {
                    clientClosed()
                }
            } else if events & POLLHUP != 0 {
                clientClosed()
            }
            write(lock.withLock { dueOutput() })
        }
    }

    /// Computes the poll timeout in ms until the next scheduled write or the end of a reset, -1 for none.
    private func nextTimeout() -> Int32 {
        // While hung, scheduled writes wait, so they must not wake the loop either.
        let deadlines = lock.withLock {
            (state.hung ? [] : state.scheduled.map(\.deadline)) + [state.silentUntil].compactMap { $0 }
        }
        guard let next = deadlines.min() else { return -1 }
        let remaining = next - ContinuousClock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }

    /// Handles the client closing its side: drop partial input, forget a hang, then wait for a reopen.
    private func clientClosed() {
        lock.withLock {
            state.input = []
            state.pendingSend = nil
            if state.hung && !state.hangOutlastsReopen { state.hung = false }
        }
        // With no client the master reports POLLHUP continuously; check again every 10 ms.
        var wake = [pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
        _ = poll(&wake, 1, 10)
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        var offset = 0
        var attempts = 0
        while offset < bytes.count, attempts < 1000 {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(master, $0.baseAddress!, $0.count) }
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EINTR {
                attempts += 1
                var out = [pollfd(fd: master, events: Int16(POLLOUT), revents: 0)]
                _ = poll(&out, 1, 10)
            } else {
                return
            }
        }
    }
}

/// A failure to start the simulator.
public enum ModemSimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `openpty` or `pipe` failed.
    case ptyUnavailable(errno: Int32)

    public var description: String {
        switch self {
        case .ptyUnavailable(let code):
            "cannot open a pseudo terminal: \(String(cString: strerror(code))); is /dev/pts mounted?"
        }
    }
}
