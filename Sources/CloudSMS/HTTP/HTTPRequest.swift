/// One HTTP request for `HTTPClient`.
///
/// Credentials travel in `credentials` and reach libcurl as user name and password, so they
/// never appear in `url` or in logs. Redirects are not followed: a 3xx comes back as a response.
public struct HTTPRequest: Sendable {
    /// The methods the cloud providers need.
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    /// The full URL, `http` or `https` only. Must hold no user name or password.
    public var url: String
    /// Extra header fields, sent in this order.
    public var headers: [HTTPHeader]
    /// The request body; sent only for `post`.
    public var body: [UInt8]
    /// HTTP Basic credentials, sent in the `Authorization` header by libcurl.
    public var credentials: BasicCredentials?
    /// The maximum wait for TCP and TLS to be set up. A timeout here is `connectTimeout`, which is
    /// safe to retry elsewhere because nothing was sent. Rounded up to whole milliseconds.
    public var connectTimeout: Duration
    /// The maximum duration of the whole exchange, connection included. A timeout after the request
    /// may have left is `timeoutAfterSend`, an ambiguous outcome.
    public var timeout: Duration
    /// The proxy for this request; nil uses the client's `Configuration.proxy`. A provider with its
    /// own proxy sets it here, so several providers can share one client and its connections.
    public var proxy: HTTPProxy?
    /// A PEM file with the CA certificates trusted for this request's server (`CURLOPT_CAINFO`),
    /// instead of the system's store; nil uses the client's `Configuration.caBundlePath`. It
    /// applies to the server in `url`, not to an `https://` proxy. libcurl reuses a connection
    /// only for requests with the same CA file.
    public var caBundlePath: String?

    public init(
        method: Method,
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        credentials: BasicCredentials? = nil,
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(15),
        proxy: HTTPProxy? = nil,
        caBundlePath: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.proxy = proxy
        self.caBundlePath = caBundlePath
    }

    /// Returns the value of the first header field with this name, compared without regard to case.
    public func headerValue(named name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// One header field of a request or a response.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A user name and password for HTTP Basic authentication.
///
/// Its descriptions are redacted, so interpolating it into a log line or an error leaks nothing.
public struct BasicCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "BasicCredentials(redacted)" }
    public var debugDescription: String { description }
}
