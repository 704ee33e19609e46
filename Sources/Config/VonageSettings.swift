/// A Vonage (formerly Nexmo) account sending through the SMS API.
public struct VonageSettings: Sendable, Equatable {
    public static let defaultBaseURL = "https://rest.nexmo.com"

    /// The method Vonage signs callbacks with, chosen next to the signature secret in its dashboard.
    public enum SignatureMethod: String, Sendable, Equatable, CaseIterable {
        /// "MD5 hash", Vonage's default: MD5 of the parameters followed by the secret.
        case md5hash
        /// "MD5 HMAC".
        case md5
        /// "SHA1 HMAC".
        case sha1
        /// "SHA-256 HMAC".
        case sha256
        /// "SHA-512 HMAC".
        case sha512
    }

    /// The API key; not secret.
    public var apiKey: String
    public var apiSecret: Secret
    /// The sender: a number or an alphanumeric sender ID.
    public var from: String
    /// API root without a trailing `/`; default `https://rest.nexmo.com`, changed only for tests.
    public var baseURL: String
    public var timeouts: HTTPTimeouts
    /// The signature secret of signed webhooks. When set, `/webhooks/vonage` rejects receipts
    /// whose `sig` is missing or wrong; when nil, it accepts unsigned receipts.
    public var signatureSecret: Secret?
    /// The method Vonage signs with; default `md5hash`, the dashboard's default.
    public var signatureMethod: SignatureMethod
    /// The HTTP proxy for this provider's requests; nil connects directly.
    public var proxy: HTTPProxySettings?
    /// A PEM file with the CA certificates trusted for the API's certificate, in place of the
    /// system's store (`ca_file`); nil uses the system's.
    public var caFile: String?

    public init(
        apiKey: String,
        apiSecret: Secret,
        from: String,
        baseURL: String = defaultBaseURL,
        timeouts: HTTPTimeouts = HTTPTimeouts(),
        signatureSecret: Secret? = nil,
        signatureMethod: SignatureMethod = .md5hash,
        proxy: HTTPProxySettings? = nil,
        caFile: String? = nil
    ) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.from = from
        self.baseURL = baseURL
        self.timeouts = timeouts
        self.signatureSecret = signatureSecret
        self.signatureMethod = signatureMethod
        self.proxy = proxy
        self.caFile = caFile
    }

    /// Reads the provider's keys. Without a signature secret it adds a warning, since anyone who
    /// can reach `/webhooks/vonage` could then mark messages delivered or failed.
    static func decode(_ reader: MappingReader) -> VonageSettings? {
        let apiKey = reader.required("api_key", expected: "the API key from the Vonage dashboard") { $0.string() }
        let apiSecret = reader.secret("api_secret", required: true)
        let from = reader.required("from", expected: ValueShape.senderForm) {
            $0.string(expected: ValueShape.senderForm, where: ValueShape.isSender)
        }
        let baseURL = reader.optional("base_url", ProviderSettings.decodeBaseURL) ?? defaultBaseURL
        let timeouts = HTTPTimeouts.decode(reader)
        let signatureSecret = reader.secret("signature_secret", required: false)
        let signatureMethod = reader.optional("signature_method") { $0.enumeration(SignatureMethod.self) } ?? .md5hash
        let proxy = HTTPProxySettings.decode(reader)
        let caFile = reader.cloudCAFile()
        guard let apiKey, let apiSecret, let from else { return nil }
        if signatureSecret == nil {
            reader.decoder.warn(
                file: reader.decoder.fileName,
                "\(reader.value.path): no signature_secret, so /webhooks/vonage accepts unsigned delivery receipts"
                    + " from anyone who can reach it; turn on signed webhooks in the Vonage dashboard and set"
                    + " signature_secret_file and signature_method"
            )
        }
        return VonageSettings(
            apiKey: apiKey,
            apiSecret: apiSecret,
            from: from,
            baseURL: baseURL,
            timeouts: timeouts,
            signatureSecret: signatureSecret,
            signatureMethod: signatureMethod,
            proxy: proxy,
            caFile: caFile
        )
    }
}
