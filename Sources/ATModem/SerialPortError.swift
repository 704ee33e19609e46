#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the serial port's byte I/O, carrying the device, the C `errno` and the fix.
public enum SerialPortError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `open(2)` failed: the device is missing, busy or not readable by this user.
    case openFailed(path: String, errno: Int32)
    /// `tcgetattr`/`tcsetattr` failed: the path is not a terminal.
    case configurationFailed(path: String, errno: Int32)
    /// The baud rate has no termios speed constant.
    case unsupportedBaudRate(Int)
    /// `read(2)` failed with an error other than a hang-up.
    case readFailed(path: String, errno: Int32)
    /// `write(2)` failed with an error other than a hang-up.
    case writeFailed(path: String, errno: Int32)
    /// The device went away (EIO or POLLHUP): unplugged, reset, or the other side of a pty closed.
    case hungUp(path: String)
    /// The device accepted no bytes within the write timeout (flow control stuck).
    case writeTimedOut(path: String)
    /// The port was closed by its owner.
    case closed(path: String)

    public var description: String {
        switch self {
        case .openFailed(let path, let code):
            "cannot open \(path): \(SerialPortError.text(code)); check the device exists, "
                + "no other program holds it, and the user is in the dialout group"
        case .configurationFailed(let path, let code):
            "cannot configure \(path) as a serial line: \(SerialPortError.text(code)); is it a tty?"
        case .unsupportedBaudRate(let rate):
            "baud rate \(rate) is not supported; use one of \(SerialPort.supportedBaudRates.keys.sorted())"
        case .readFailed(let path, let code):
            "read from \(path) failed: \(SerialPortError.text(code))"
        case .writeFailed(let path, let code):
            "write to \(path) failed: \(SerialPortError.text(code))"
        case .hungUp(let path):
            "\(path) hung up: the modem was unplugged or reset; it is reopened by recovery"
        case .writeTimedOut(let path):
            "\(path) took no bytes in time: check the cable and flow control"
        case .closed(let path):
            "\(path) is closed"
        }
    }

    static func text(_ code: Int32) -> String {
        String(cString: strerror(code)) + " (errno \(code))"
    }
}
