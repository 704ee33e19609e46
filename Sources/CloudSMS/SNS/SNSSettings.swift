import Foundation

/// Everything needed to send SMS through Amazon SNS `Publish` to a phone number.
public struct SNSSettings: Sendable {
    /// `AWS.SNS.SMS.SMSType`: how SNS routes the message.
    public enum SMSType: String, Sendable {
        /// Critical messages; SNS picks routes for reliability. The right choice for alerts.
        case transactional = "Transactional"
        /// Marketing messages; SNS picks routes for cost.
        case promotional = "Promotional"
    }

    public var credentials: AWSSignatureV4.Credentials
    /// For example `eu-west-1`; part of the signature and of the default endpoint.
    public var region: String
    /// The API endpoint, scheme and host with no path; nil uses `https://sns.{region}.amazonaws.com`.
    /// Tests point it at a fake on loopback.
    public var endpoint: String?
    public var smsType: SMSType
    /// `AWS.SNS.SMS.SenderID`, shown instead of a number where the country allows it; nil sends none.
    public var senderID: String?
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
        credentials: AWSSignatureV4.Credentials,
        region: String,
        endpoint: String? = nil,
        smsType: SMSType = .transactional,
        senderID: String? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(20),
        proxy: HTTPProxy? = nil,
        caFile: String? = nil
    ) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.smsType = smsType
        self.senderID = senderID
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.proxy = proxy
        self.caFile = caFile
    }

    /// The endpoint in use, configured or derived from the region.
    public var effectiveEndpoint: String {
        endpoint ?? "https://sns.\(region).amazonaws.com"
    }
}
