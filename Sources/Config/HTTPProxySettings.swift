/// The HTTP proxy a cloud provider's requests go through: `proxy`, `proxy_username`,
/// `proxy_password` (or `proxy_password_file`) and `no_proxy` in the provider's mapping.
///
/// The environment's `http_proxy`, `https_proxy` and `no_proxy` are never read, so the daemon
/// behaves the same under systemd as in a shell. A provider without `proxy` connects directly.
public struct HTTPProxySettings: Sendable, Equatable {
    /// `http://host:port` or `https://host:port`, with no user name or password in it.
    public var url: String
    /// The proxy's Basic user name; nil when the proxy needs none.
    public var username: String?
    /// The proxy's password; given exactly when `username` is.
    public var password: Secret?
    /// Hosts reached without the proxy: a name (which covers its subdomains), `.domain` for
    /// subdomains only, an IP address, a CIDR range, or `*` for every host.
    public var noProxy: [String]

    public init(url: String, username: String? = nil, password: Secret? = nil, noProxy: [String] = []) {
        self.url = url
        self.username = username
        self.password = password
        self.noProxy = noProxy
    }

    /// Reads the proxy keys of a provider mapping. Returns nil without `proxy`, reporting any of
    /// the other proxy keys given alone, and nil after reporting an issue.
    static func decode(_ reader: MappingReader) -> HTTPProxySettings? {
        let urlForm = "an http://host:port or https://host:port URL without user name or password"
        let url = reader.optional("proxy") { value -> String? in
            guard let text = value.string(expected: urlForm) else { return nil }
            // The issue shows the URL with its password masked, because issues are printed and logged.
            if hasUserInfo(text) {
                return value.fail(
                    "expected \(urlForm), got \(ConfigValue.quoted(maskingPassword(in: text))); move the user name "
                        + "to proxy_username and the password to proxy_password_file"
                )
            }
            guard ValueShape.isHTTPURL(text) else {
                return value.fail("expected \(urlForm), got \(ConfigValue.quoted(text))")
            }
            return text
        }
        let username = reader.optional("proxy_username") { $0.string(expected: "the proxy's user name") }
        let password = reader.secret("proxy_password", required: false)
        let noProxyForm = "a list of host names, .domains, IP addresses, CIDR ranges or *"
        let noProxy = reader.optional("no_proxy") { value in
            value.list { $0.string(expected: noProxyForm, where: isNoProxyEntry) }
        }

        guard let proxyValue = reader.child("proxy"), !proxyValue.node.isNull else {
            for key in ["proxy_username", "proxy_password", "proxy_password_file", "no_proxy"] {
                if let value = reader.child(key), !value.node.isNull {
                    value.report("\(key) needs proxy: http://host:port in the same provider")
                }
            }
            return nil
        }
        if (username == nil) != (password == nil) {
            let missing = username == nil ? "proxy_username" : "proxy_password_file (or proxy_password)"
            proxyValue.report("a proxy with credentials needs both proxy_username and a password; add \(missing)")
            return nil
        }
        guard let url else { return nil }
        return HTTPProxySettings(url: url, username: username, password: password, noProxy: noProxy ?? [])
    }

    /// Checks for `user@` or `user:password@` before the host, which belong in the other keys.
    private static func hasUserInfo(_ url: String) -> Bool {
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard afterScheme.count > 2 else { return false }
        return afterScheme[2].contains("@")
    }

    /// Returns `url` with the text between the first `:` of its user part and the `@` replaced by `***`.
    static func maskingPassword(in url: String) -> String {
        let afterScheme = url.range(of: "://")?.upperBound ?? url.startIndex
        let authorityEnd = url[afterScheme...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        guard let at = url[afterScheme..<authorityEnd].lastIndex(of: "@"),
            let colon = url[afterScheme..<at].firstIndex(of: ":")
        else { return url }
        return url.replacingCharacters(in: colon..<at, with: ":***")
    }

    /// Checks for `*`, or a host name, `.domain`, IP address or CIDR range.
    static func isNoProxyEntry(_ text: String) -> Bool {
        if text == "*" { return true }
        var host = Substring(text)
        if host.hasPrefix(".") { host = host.dropFirst() }
        if let slash = host.firstIndex(of: "/") {
            let bits = host[host.index(after: slash)...]
            guard let prefix = Int(bits), (0...128).contains(prefix) else { return false }
            host = host[..<slash]
        }
        return ValueShape.isHost(String(host))
    }
}
