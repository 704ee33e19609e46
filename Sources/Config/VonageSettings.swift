/// A Vonage (formerly Nexmo) account sending through the SMS API.
public struct VonageSettings: Sendable, Equatable {
    public static let defaultBaseURL = "https://rest.nexmo.com"

    /// The API key; not secret.
    public var apiKey: String
    public var apiSecret: Secret
    /// The sender: a number or an alphanumeric sender ID.
    public var from: String
    /// API root without a trailing `/`; default `https://rest.nexmo.com`, changed only for tests.
    public var baseURL: String
    public var timeouts: HTTPTimeouts

    public init(
        apiKey: String,
        apiSecret: Secret,
        from: String,
        baseURL: String = defaultBaseURL,
        timeouts: HTTPTimeouts = HTTPTimeouts()
    ) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.from = from
        self.baseURL = baseURL
        self.timeouts = timeouts
    }

    static func decode(_ reader: MappingReader) -> VonageSettings? {
        let apiKey = reader.required("api_key", expected: "the API key from the Vonage dashboard") { $0.string() }
        let apiSecret = reader.secret("api_secret", required: true)
        let from = reader.required("from", expected: ValueShape.senderForm) {
            $0.string(expected: ValueShape.senderForm, where: ValueShape.isSender)
        }
        let baseURL = reader.optional("base_url", ProviderSettings.decodeBaseURL) ?? defaultBaseURL
        let timeouts = HTTPTimeouts.decode(reader)
        guard let apiKey, let apiSecret, let from else { return nil }
        return VonageSettings(apiKey: apiKey, apiSecret: apiSecret, from: from, baseURL: baseURL, timeouts: timeouts)
    }
}
