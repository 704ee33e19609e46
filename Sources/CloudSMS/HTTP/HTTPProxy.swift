/// An HTTP or HTTPS proxy for a client's requests, or for one provider's.
///
/// Only this value decides: the `http_proxy`, `https_proxy` and `no_proxy` environment
/// variables are ignored, so a daemon behaves the same under systemd and in a shell. An `https`
/// request goes through a `CONNECT` tunnel, so the proxy receives the host and port but not the
/// request. A request through a proxy whose `url` contains a user name or password fails before
/// anything is sent, and the password never appears in errors or descriptions.
public struct HTTPProxy: Sendable, Equatable, CustomStringConvertible {
    /// For example `http://proxy.example:3128`, without credentials (`CURLOPT_PROXY`).
    public var url: String
    /// Sent to the proxy only, never to the provider.
    public var credentials: BasicCredentials?
    /// Hosts reached directly, without the proxy (`CURLOPT_NOPROXY`): a name matches itself and
    /// its subdomains, `.example.org` matches the subdomains only, an address or a CIDR range
    /// matches literally, and `*` turns the proxy off. Empty sends everything through the proxy.
    public var noProxy: [String]

    public init(url: String, credentials: BasicCredentials? = nil, noProxy: [String] = []) {
        self.url = url
        self.credentials = credentials
        self.noProxy = noProxy
    }

    /// Whether `url` has a `user@` or `user:password@` part before the host.
    public var urlHasUserInfo: Bool { Self.userInfoRange(in: url) != nil }

    /// `url` with any password in it replaced by `***`, for errors and logs.
    public var redactedURL: String {
        guard let range = Self.userInfoRange(in: url) else { return url }
        let userInfo = url[range]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return url.replacingCharacters(in: colon..<range.upperBound, with: ":***")
    }

    public var description: String {
        var text = "HTTPProxy(\(redactedURL)"
        if credentials != nil { text += ", credentials redacted" }
        if !noProxy.isEmpty { text += ", noProxy: \(noProxy.joined(separator: ","))" }
        return text + ")"
    }

    /// Returns the range between `scheme://` and the last `@` of the authority, or nil without an `@`.
    private static func userInfoRange(in url: String) -> Range<String.Index>? {
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        let authorityEnd = url[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        guard let at = url[start..<authorityEnd].lastIndex(of: "@") else { return nil }
        return start..<at
    }
}
