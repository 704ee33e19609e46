/// The reason an HTTP exchange produced no usable response, and whether the request may have left.
///
/// A response with any status, 4xx and 5xx included, is not an error: it comes back as an
/// `HTTPResponse`. This type covers everything else.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The host name did not resolve (`CURLE_COULDNT_RESOLVE_HOST`).
        case dnsFailure
        /// Nothing accepted the connection: refused or unreachable (`CURLE_COULDNT_CONNECT`).
        case connectionRefused
        /// The TLS handshake or the certificate check failed (`CURLE_SSL_CONNECT_ERROR`,
        /// `CURLE_PEER_FAILED_VERIFICATION` and relatives).
        case tlsFailure
        /// The proxy did not resolve, or rejected the tunnel: `CURLE_COULDNT_RESOLVE_PROXY`,
        /// `CURLE_PROXY`, or a response other than 2xx to `CONNECT`, such as 403 or 407. Then
        /// `detail` names the proxy (never its password), the status and the fix.
        case proxyFailure
        /// The connection was not set up within the connect timeout; nothing was sent.
        case connectTimeout
        /// The total timeout passed after the request may have been sent (`CURLE_OPERATION_TIMEDOUT`).
        case timeoutAfterSend
        /// The connection broke before the whole response arrived (`CURLE_GOT_NOTHING`,
        /// `CURLE_RECV_ERROR`, `CURLE_SEND_ERROR`, `CURLE_PARTIAL_FILE`).
        case connectionLost
        /// The response body was longer than the configured limit; the transfer was stopped there.
        case bodyTooLarge(status: Int, limit: Int)
        /// The request could not be built: a malformed URL, an unsupported scheme, a bad option.
        case invalidRequest
        /// The calling task was cancelled.
        case cancelled
        /// The client was shut down before the exchange finished.
        case clientClosed
        /// Any other libcurl failure, identified by `curlCode`.
        case transferFailed
    }

    /// The failover class of the failure: the next provider, or an unknown outcome.
    public enum Classification: Sendable, Equatable {
        /// Nothing reached the provider, or it cannot take requests: try the next one.
        case unavailable
        /// The request may have been acted on and its outcome is unknown.
        case ambiguous
    }

    public var code: Code
    /// Whether the connection was set up, so the request may have reached the server.
    public var requestMayHaveLeft: Bool
    /// libcurl's result code (`CURLcode`), when the error came from libcurl.
    public var curlCode: Int32?
    /// libcurl's error message. It can contain host names and addresses, never credentials.
    public var detail: String

    public init(code: Code, requestMayHaveLeft: Bool, curlCode: Int32? = nil, detail: String = "") {
        self.code = code
        self.requestMayHaveLeft = requestMayHaveLeft
        self.curlCode = curlCode
        self.detail = detail
    }

    /// Connection-setup failures are `unavailable`. Other failures are `ambiguous` once the request
    /// may have left, and an oversized body is `ambiguous` only with a 2xx status.
    public var classification: Classification {
        switch code {
        case .dnsFailure, .connectionRefused, .tlsFailure, .proxyFailure, .connectTimeout, .invalidRequest:
            .unavailable
        case .timeoutAfterSend:
            .ambiguous
        case .bodyTooLarge(let status, _):
            (200..<300).contains(status) ? .ambiguous : .unavailable
        case .connectionLost, .cancelled, .clientClosed, .transferFailed:
            requestMayHaveLeft ? .ambiguous : .unavailable
        }
    }

    public var description: String {
        var text = "\(code)"
        if let curlCode { text += " (curl \(curlCode))" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
