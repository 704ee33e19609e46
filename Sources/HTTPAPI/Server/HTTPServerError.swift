import Foundation

/// The reason the HTTP server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The listen address is not an IPv4 or IPv6 literal.
    case invalidAddress(String)
    /// The address and port could not be bound; carries `errno`.
    case cannotListen(host: String, port: Int, errno: Int32)
    /// `start()` was called on a server that is running or was stopped.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidAddress(let host):
            "the HTTP listen address \(host) is not an IP address: write an IPv4 or IPv6 address such as 127.0.0.1"
        case .cannotListen(let host, let port, let code):
            "cannot listen on \(host):\(port): \(String(cString: strerror(code))); "
                + "choose a free port or stop the process that holds it"
        case .alreadyStarted:
            "the HTTP server was already started; create a new one to listen again"
        }
    }
}
