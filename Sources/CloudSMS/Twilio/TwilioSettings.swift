/// Everything needed to send through Twilio's Programmable Messaging API.
public struct TwilioSettings: Sendable {
    /// The credentials requests authenticate with. Descriptions are redacted.
    public enum Credentials: Sendable, Equatable, CustomStringConvertible {
        /// The account's auth token, with the Account SID as user name.
        case authToken(String)
        /// An API key (`SK…`) and its secret; Twilio's recommended form for production.
        case apiKey(sid: String, secret: String)

        public var description: String {
            switch self {
            case .authToken: "authToken(redacted)"
            case .apiKey: "apiKey(redacted)"
            }
        }
    }

    /// The sender of each message.
    public enum Sender: Sendable, Equatable {
        /// A Twilio number in E.164 or an alphanumeric sender id (`From`).
        case phoneNumber(String)
        /// A Messaging Service (`MessagingServiceSid`, `MG…`), which picks the number itself.
        case messagingService(sid: String)
    }

    /// The account (`AC…`) that owns the messages; part of the request path.
    public var accountSID: String
    public var credentials: Credentials
    public var sender: Sender
    /// Scheme and host with no trailing slash; tests point it at a fake on loopback.
    public var baseURL: String
    /// The URL Twilio posts each message's status callbacks to (`StatusCallback`); nil sends none.
    public var statusCallbackURL: String?
    /// How long Twilio may hold the message in its queue (`ValidityPeriod`), sent in whole seconds
    /// and clamped to Twilio's 1 to 36,000; nil leaves Twilio's default of 36,000 s.
    public var validityPeriod: Duration?
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
        accountSID: String,
        credentials: Credentials,
        sender: Sender,
        baseURL: String = "https://api.twilio.com",
        statusCallbackURL: String? = nil,
        validityPeriod: Duration? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(20),
        proxy: HTTPProxy? = nil,
        caFile: String? = nil
    ) {
        self.accountSID = accountSID
        self.credentials = credentials
        self.sender = sender
        self.baseURL = baseURL
        self.statusCallbackURL = statusCallbackURL
        self.validityPeriod = validityPeriod
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.proxy = proxy
        self.caFile = caFile
    }

    /// The Basic credentials: Account SID and auth token, or API key SID and secret.
    var basicCredentials: BasicCredentials {
        switch credentials {
        case .authToken(let token): BasicCredentials(username: accountSID, password: token)
        case .apiKey(let sid, let secret): BasicCredentials(username: sid, password: secret)
        }
    }
}
