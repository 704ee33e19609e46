import Glibc

/// A failed socket call: which call, its `errno`, and the system's text for it.
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The C call that failed, for example `connect`.
    public var call: String
    /// `errno` after the call; 0 when the failure was not an errno (a timeout, a bad address).
    public var code: Int32
    /// `strerror(errno)` or the reason in words.
    public var reason: String

    public init(call: String, code: Int32, reason: String) {
        self.call = call
        self.code = code
        self.reason = reason
    }

    /// Makes the error for the current `errno`.
    static func fromErrno(_ call: String) -> SocketError {
        let code = errno
        return SocketError(call: call, code: code, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(call): \(reason)" }
}

/// Runs a system call again while it fails with `EINTR`.
func retryingOnInterrupt<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
