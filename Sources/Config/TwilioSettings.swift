/// A Twilio account sending through the Messages API.
public struct TwilioSettings: Sendable, Equatable {
    public static let defaultBaseURL = "https://api.twilio.com"

    /// The account SID, `AC…`; not secret.
    public var accountSID: String
    public var authToken: Secret
    /// The sender: a Twilio number or an alphanumeric sender ID.
    public var from: String
    /// API root without a trailing `/`; default `https://api.twilio.com`, changed only for tests.
    public var baseURL: String
    public var timeouts: HTTPTimeouts
    /// The HTTP proxy for this provider's requests; nil connects directly.
    public var proxy: HTTPProxySettings?
    /// A PEM file with the CA certificates trusted for the API's certificate, in place of the
    /// system's store (`ca_file`); nil uses the system's.
    public var caFile: String?

    public init(
        accountSID: String,
        authToken: Secret,
        from: String,
        baseURL: String = defaultBaseURL,
        timeouts: HTTPTimeouts = HTTPTimeouts(),
        proxy: HTTPProxySettings? = nil,
        caFile: String? = nil
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.baseURL = baseURL
        self.timeouts = timeouts
        self.proxy = proxy
        self.caFile = caFile
    }

    static func decode(_ reader: MappingReader) -> TwilioSettings? {
        let sidForm = "an account SID starting with AC"
        let accountSID = reader.required("account_sid", expected: sidForm) {
            $0.string(expected: sidForm) { $0.hasPrefix("AC") && $0.count > 2 }
        }
        let authToken = reader.secret("auth_token", required: true)
        let from = reader.required("from", expected: ValueShape.senderForm) {
            $0.string(expected: ValueShape.senderForm, where: ValueShape.isSender)
        }
        let baseURL = reader.optional("base_url", ProviderSettings.decodeBaseURL) ?? defaultBaseURL
        let timeouts = HTTPTimeouts.decode(reader)
        let proxy = HTTPProxySettings.decode(reader)
        let caFile = reader.cloudCAFile()
        guard let accountSID, let authToken, let from else { return nil }
        return TwilioSettings(
            accountSID: accountSID,
            authToken: authToken,
            from: from,
            baseURL: baseURL,
            timeouts: timeouts,
            proxy: proxy,
            caFile: caFile
        )
    }
}
