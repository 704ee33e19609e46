/// Why an SMPP link is not bound: the connection failed, the SMSC refused or ended it, or a
/// timer gave up on it.
public enum LinkDownReason: Error, Equatable, Sendable, CustomStringConvertible {
    /// The TCP connection could not be made; the text is the system's reason.
    case connectFailed(String)
    /// The TLS handshake failed; the text names the cause and the fix (an untrusted certificate,
    /// an unreadable `ca_file`, a name mismatch).
    case tlsFailed(String)
    /// The SMSC answered the bind with an error status, for example `ESME_RINVPASWD`.
    case bindRejected(CommandStatus)
    /// No `bind_resp` came within the response timeout.
    case bindTimeout
    /// No `enquire_link_resp` came within the response timeout: the link is dead.
    case enquireLinkTimeout
    /// The SMSC closed the TCP connection.
    case closedByPeer
    /// The SMSC sent `unbind`.
    case unboundBySMSC
    /// This side sent `unbind` (on stop) and the session ended.
    case unbound
    /// The peer sent bytes that cannot be framed, for example an impossible `command_length`.
    case protocolError(String)
    /// Reading or writing the socket failed; the text is the system's reason.
    case socketError(String)
    /// The client was stopped.
    case stopped

    public var description: String {
        switch self {
        case .connectFailed(let reason): "connect failed: \(reason)"
        case .tlsFailed(let reason): reason
        case .bindRejected(let status): "bind rejected: \(status)"
        case .bindTimeout: "no bind_resp within the response timeout"
        case .enquireLinkTimeout: "no enquire_link_resp within the response timeout"
        case .closedByPeer: "the SMSC closed the connection"
        case .unboundBySMSC: "the SMSC sent unbind"
        case .unbound: "unbound"
        case .protocolError(let reason): "protocol error: \(reason)"
        case .socketError(let reason): "socket error: \(reason)"
        case .stopped: "stopped"
        }
    }

    /// Whether the SMSC refused the credentials, so that reconnecting soon cannot help.
    public var isCredentialsError: Bool {
        if case .bindRejected(let status) = self { return status.isCredentialsError }
        return false
    }
}
