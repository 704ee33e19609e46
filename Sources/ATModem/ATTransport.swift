/// A byte stream to a modem: the serial port in production, a scripted stream in tests.
///
/// `read`, `write` and `close` are called only by the transport's owner thread; `wake` may be
/// called from any thread.
public protocol ATTransport: AnyObject, Sendable {
    /// The device, for logs and errors.
    var name: String { get }

    /// Waits up to `timeout` (`nil`: without limit) for bytes and returns what is available.
    ///
    /// Returns an empty array on timeout or when `wake()` was called.
    /// - Throws: `SerialPortError.hungUp` when the device went away, other `SerialPortError`s on I/O failure.
    func read(timeout: Duration?) throws(SerialPortError) -> [UInt8]

    /// Writes all of `bytes`.
    /// - Throws: `SerialPortError` when the device fails or takes no bytes within its write timeout.
    func write(_ bytes: [UInt8]) throws(SerialPortError)

    /// Makes a `read` that is waiting return at once. Safe from any thread.
    func wake()

    /// Releases the device. Later reads and writes throw `SerialPortError.closed`.
    func close()
}
