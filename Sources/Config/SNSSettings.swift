/// Amazon SNS direct SMS publishing, signed with AWS Signature Version 4.
public struct SNSSettings: Sendable, Equatable {
    /// The AWS region, such as `eu-west-2`.
    public var region: String
    /// The access key id, `AKIA…`; not secret on its own.
    public var accessKeyID: String
    public var secretAccessKey: Secret
    /// The endpoint without a trailing `/`; `nil` means `https://sns.<region>.amazonaws.com`.
    public var endpoint: String?
    /// An alphanumeric sender ID where the destination country supports it.
    public var senderID: String?
    public var timeouts: HTTPTimeouts
    /// The HTTP proxy for this provider's requests; nil connects directly.
    public var proxy: HTTPProxySettings?
    /// A PEM file with the CA certificates trusted for the API's certificate, in place of the
    /// system's store (`ca_file`); nil uses the system's.
    public var caFile: String?

    public init(
        region: String,
        accessKeyID: String,
        secretAccessKey: Secret,
        endpoint: String? = nil,
        senderID: String? = nil,
        timeouts: HTTPTimeouts = HTTPTimeouts(),
        proxy: HTTPProxySettings? = nil,
        caFile: String? = nil
    ) {
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.endpoint = endpoint
        self.senderID = senderID
        self.timeouts = timeouts
        self.proxy = proxy
        self.caFile = caFile
    }

    /// `endpoint`, or the public endpoint of `region`.
    public var effectiveEndpoint: String {
        endpoint ?? "https://sns.\(region).amazonaws.com"
    }

    static func decode(_ reader: MappingReader) -> SNSSettings? {
        let regionForm = "an AWS region such as eu-west-2"
        let region = reader.required("region", expected: regionForm) {
            $0.string(expected: regionForm, where: ValueShape.isAWSRegion)
        }
        let accessKeyID = reader.required("access_key_id", expected: "an AWS access key id") { $0.string() }
        let secretAccessKey = reader.secret("secret_access_key", required: true)
        let endpoint = reader.optional("endpoint", ProviderSettings.decodeBaseURL)
        let senderForm = "an alphanumeric sender ID of 1 to 11 letters and digits"
        let senderID = reader.optional("sender_id") {
            $0.string(expected: senderForm) { ValueShape.isSender($0) && !ValueShape.isPhoneNumber($0) }
        }
        let timeouts = HTTPTimeouts.decode(reader)
        let proxy = HTTPProxySettings.decode(reader)
        let caFile = reader.cloudCAFile()
        guard let region, let accessKeyID, let secretAccessKey else { return nil }
        return SNSSettings(
            region: region,
            accessKeyID: accessKeyID,
            secretAccessKey: secretAccessKey,
            endpoint: endpoint,
            senderID: senderID,
            timeouts: timeouts,
            proxy: proxy,
            caFile: caFile
        )
    }
}
