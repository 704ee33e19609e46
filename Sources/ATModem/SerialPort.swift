#if canImport(Glibc)
    import Glibc
#endif

/// A serial line opened through POSIX termios: `/dev/ttyUSB*`, `/dev/ttyACM*` or a pseudo terminal.
///
/// Opens with `O_RDWR | O_NOCTTY | O_NONBLOCK`, sets raw mode (8N1, no flow control, no echo)
/// at the given baud rate, and flushes what was pending. One owner thread calls `read`, `write`
/// and `close`; `wake` may come from any thread and interrupts a waiting `read` through a pipe.
/// `EINTR` is retried; EIO and POLLHUP are reported as `SerialPortError.hungUp`.
public final class SerialPort: ATTransport, @unchecked Sendable {
    // @unchecked: `descriptor` is used and changed only by the owner thread; `wake()` touches only
    // the wake pipe's write end, which is immutable and valid until deinit.

    /// Baud rates with a termios speed constant on this platform.
    public static let supportedBaudRates: [Int: speed_t] = [
        9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
        115200: speed_t(B115200), 230400: speed_t(B230400), 460800: speed_t(B460800), 921600: speed_t(B921600),
    ]

    /// The device path.
    public let name: String
    /// How long `write` waits for the device to take bytes before it gives up.
    public let writeTimeout: Duration

    private var descriptor: Int32
    private let wakeReader: Int32
    private let wakeWriter: Int32

    /// Opens and configures `path`.
    ///
    /// - Parameters:
    ///   - path: the device, such as `/dev/ttyUSB2` or `/dev/pts/5`.
    ///   - baudRate: one of `supportedBaudRates`; ignored by pseudo terminals.
    ///   - writeTimeout: how long a write may wait for a full output buffer (default 5 s).
    /// - Throws: `SerialPortError.openFailed`, `.configurationFailed` or `.unsupportedBaudRate`.
    public init(path: String, baudRate: Int = 115_200, writeTimeout: Duration = .seconds(5)) throws(SerialPortError) {
        guard let speed = SerialPort.supportedBaudRates[baudRate] else { throw .unsupportedBaudRate(baudRate) }
        name = path
        self.writeTimeout = writeTimeout

        let opened = SerialPort.retryingInterrupts { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        guard opened.result >= 0 else { throw .openFailed(path: path, errno: opened.errno) }
        descriptor = opened.result

        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            let code = errno
            _ = Glibc.close(opened.result)
            throw .openFailed(path: path, errno: code)
        }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeReader = pipeEnds[0]
        wakeWriter = pipeEnds[1]

        do {
            try configure(speed: speed)
        } catch {
            closeDescriptors()
            throw error
        }
    }

    deinit {
        closeDescriptors()
    }

    public func read(timeout: Duration?) throws(SerialPortError) -> [UInt8] {
        guard descriptor >= 0 else { throw .closed(path: name) }
        var fds = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
        ]
        let milliseconds = timeout.map { SerialPort.milliseconds($0) } ?? -1
        let polled = SerialPort.retryingInterrupts { Int32(poll(&fds, 2, milliseconds)) }
        guard polled.result >= 0 else { throw .readFailed(path: name, errno: polled.errno) }
        if fds[1].revents != 0 { drainWakePipe() }
        let events = Int32(fds[0].revents)
        if events & POLLIN != 0 { return try readAvailable() }
        if events & (POLLHUP | POLLERR | POLLNVAL) != 0 { throw .hungUp(path: name) }
        return []
    }

    public func write(_ bytes: [UInt8]) throws(SerialPortError) {
        guard descriptor >= 0 else { throw .closed(path: name) }
        let deadline = ContinuousClock.now + writeTimeout
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                SerialPort.retryingInterrupts { Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset) }
            }
            if written.result > 0 {
                offset += written.result
                continue
            }
            if written.errno == EIO { throw .hungUp(path: name) }
            guard written.errno == EAGAIN else { throw .writeFailed(path: name, errno: written.errno) }
            try waitWritable(until: deadline)
        }
    }

    public func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWriter, &byte, 1)
    }

    public func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    private func configure(speed: speed_t) throws(SerialPortError) {
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else { throw .configurationFailed(path: name, errno: errno) }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        settings.c_cflag &= ~(tcflag_t(CRTSCTS) | tcflag_t(CSTOPB))
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        withUnsafeMutableBytes(of: &settings.c_cc) { controls in
            controls[Int(VMIN)] = 0
            controls[Int(VTIME)] = 0
        }
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else {
            throw .configurationFailed(path: name, errno: errno)
        }
        // Bytes the modem sent before the port was opened belong to no command.
        tcflush(descriptor, TCIOFLUSH)
    }

    private func readAvailable() throws(SerialPortError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 1024)
        let count = chunk.withUnsafeMutableBytes { raw in
            SerialPort.retryingInterrupts { Glibc.read(descriptor, raw.baseAddress!, raw.count) }
        }
        if count.result > 0 { return Array(chunk[0..<count.result]) }
        if count.result == 0 || count.errno == EIO { throw .hungUp(path: name) }
        if count.errno == EAGAIN { return [] }
        throw .readFailed(path: name, errno: count.errno)
    }

    private func waitWritable(until deadline: ContinuousClock.Instant) throws(SerialPortError) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw .writeTimedOut(path: name) }
        var fds = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
        let polled = SerialPort.retryingInterrupts { Int32(poll(&fds, 1, SerialPort.milliseconds(remaining))) }
        guard polled.result >= 0 else { throw .writeFailed(path: name, errno: polled.errno) }
        if Int32(fds[0].revents) & (POLLHUP | POLLERR) != 0 { throw .hungUp(path: name) }
    }

    private func drainWakePipe() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ Glibc.read(wakeReader, $0.baseAddress!, $0.count) }) > 0 {}
    }

    private func closeDescriptors() {
        close()
        _ = Glibc.close(wakeReader)
        _ = Glibc.close(wakeWriter)
    }

    /// Runs a C call again while it fails with `EINTR`; returns its result and the `errno` it left.
    static func retryingInterrupts<Result: BinaryInteger>(_ call: () -> Result) -> (result: Result, errno: Int32) {
        while true {
            let result = call()
            let code = errno
            if result < 0 && code == EINTR { continue }
            return (result, result < 0 ? code : 0)
        }
    }

    /// `duration` rounded up to whole milliseconds for `poll(2)`, at least 0.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
