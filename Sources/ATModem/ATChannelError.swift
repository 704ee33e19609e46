/// A failure that left an AT command without a final result.
public enum ATChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No final result came within the command's timeout; the modem may still act on it.
    case timedOut(command: String, after: Duration)
    /// The channel was closed before the command ended.
    case closed
    /// The port failed (I/O error or hang-up); the channel is closed.
    case portFailed(SerialPortError)
    /// The command text contains a CR, LF or Ctrl-Z, which would cut it short.
    case invalidCommand(String)

    public var description: String {
        switch self {
        case .timedOut(let command, let after): "no answer to \(command) within \(after)"
        case .closed: "the AT channel is closed"
        case .portFailed(let error): error.description
        case .invalidCommand(let command): "the command \(command.debugDescription) holds a line end or Ctrl-Z"
        }
    }
}
