/// Everything needed to send through Vonage's SMS API (`POST {baseURL}/sms/json`).
public struct VonageSettings: Sendable {
    /// The account's API key (`api_key`, 8 characters).
    public var apiKey: String
    /// The API secret (`api_secret`); sent as a form field, as the SMS API requires, and never logged.
    public var apiSecret: String
    /// A number in E.164 or an alphanumeric sender id (`from`); a leading `+` is removed.
    public var sender: String
    /// Scheme and host with no trailing slash; tests point it at a fake on loopback.
    public var baseURL: String
    /// The URL for this message's delivery receipt (`callback`); nil uses the one set in the dashboard.
    public var deliveryReceiptURL: String?
    /// Default 5 s: an unreachable API should fail over fast.
    public var connectTimeout: Duration
    /// Default 20 s for the whole exchange; past it the send is ambiguous.
    public var requestTimeout: Duration
    /// The proxy for this provider's requests. Nil uses the shared client's proxy, and the daemon's client has none.
    public var proxy: HTTPProxy?
    /// A PEM file with the CA certificates trusted for the API's certificate, in place of the
    /// system's store; nil uses the system's. For a test server, or a campus proxy that inspects
    /// TLS and signs with its own CA.
    public var caFile: String?

    public init(
        apiKey: String,
        apiSecret: String,
        sender: String,
        baseURL: String = "https://rest.nexmo.com",
        deliveryReceiptURL: String? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(20),
        proxy: HTTPProxy? = nil,
        caFile: String? = nil
    ) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.sender = sender
        self.baseURL = baseURL
        self.deliveryReceiptURL = deliveryReceiptURL
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.proxy = proxy
        self.caFile = caFile
    }
}
