/// The HTTP API and webhook listener.
public struct HTTPSettings: Sendable, Equatable {
    /// Address to bind, such as `127.0.0.1` or `::`; default `127.0.0.1`.
    public var listenHost: String = "127.0.0.1"
    /// TCP port to bind; default 8080.
    public var listenPort: Int = 8080
    /// The URL providers call back, used to check webhook signatures; `nil` disables webhooks
    /// whose signature covers the URL (Twilio's does).
    public var publicURL: String?

    public init() {}

    /// `listen` as written in the config: `host:port`, with IPv6 hosts in brackets.
    public var listen: String {
        listenHost.contains(":") ? "[\(listenHost)]:\(listenPort)" : "\(listenHost):\(listenPort)"
    }

    static func decode(_ value: ConfigValue) -> HTTPSettings? {
        value.mapping { reader in
            var settings = HTTPSettings()
            if let (host, port) = reader.optional("listen", decodeListen) {
                settings.listenHost = host
                settings.listenPort = port
            }
            settings.publicURL = reader.optional("public_url") {
                $0.string(expected: "an http:// or https:// URL", where: ValueShape.isHTTPURL)
            }
            return settings
        }
    }

    /// Splits `host:port` or `[v6]:port`.
    private static func decodeListen(_ value: ConfigValue) -> (String, Int)? {
        let expected = "host:port, such as 127.0.0.1:8080 or [::1]:8080"
        guard let text = value.string(expected: expected) else { return nil }
        var host: Substring
        var portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(after: close)...]
            guard portText.hasPrefix(":") else {
                return value.fail("expected \(expected), got \(ConfigValue.quoted(text))")
            }
            portText = portText.dropFirst()
        } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            return value.fail("expected \(expected), got \(ConfigValue.quoted(text))")
        }
        guard ValueShape.isHost(String(host)), let port = Int(portText), (1...65535).contains(port),
            portText.allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            return value.fail("expected \(expected) with a port from 1 to 65535, got \(ConfigValue.quoted(text))")
        }
        return (String(host), port)
    }
}
