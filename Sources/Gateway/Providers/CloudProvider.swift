import CloudSMS
import Config
import Diagnostics
import Foundation

/// A cloud SMS API in the pool (Twilio, Vonage, AWS SNS), sending over the shared libcurl client.
///
/// Status callbacks do not come through the provider: they arrive as webhooks at the HTTP API,
/// which hands them to the delivery tracker. A provider therefore counts as sending delivery
/// reports only when the config gives the public URL those webhooks are reached at.
public final class CloudProvider: Provider {
    public let id: String
    public let sendsDeliveryReports: Bool

    private let sendMessage: @Sendable (OutboundSMS) async -> CloudSendResult
    private let probeEndpoint: @Sendable () async -> ProbeResult

    init(
        id: String,
        sendsDeliveryReports: Bool,
        send: @escaping @Sendable (OutboundSMS) async -> CloudSendResult,
        probe: @escaping @Sendable () async -> ProbeResult
    ) {
        self.id = id
        self.sendsDeliveryReports = sendsDeliveryReports
        self.sendMessage = send
        self.probeEndpoint = probe
    }

    public func start(reports: @escaping DeliveryReportHandler) async {}

    public func send(_ message: OutboundSMS) async -> SendOutcome {
        CloudProvider.outcome(for: await sendMessage(message))
    }

    public func probe() async -> ProbeResult {
        await probeEndpoint()
    }

    public func stop() async {}

    static func outcome(for result: CloudSendResult) -> SendOutcome {
        switch result {
        case .accepted(let id): .accepted(providerMessageID: id)
        case .recipientError(let code, let message): .recipientError(reason: "\(code): \(message)")
        case .unavailable(let reason): .unavailable(reason: reason)
        case .throttled(let retryAfter, let reason): .throttled(retryAfter: retryAfter, reason: reason)
        case .ambiguous(let reason): .ambiguous(reason: reason)
        }
    }
}

extension CloudProvider {
    /// Twilio's Messages API. With a public URL, each message requests status callbacks at
    /// `<public_url>/webhooks/twilio`.
    public static func twilio(
        id: String,
        settings: Config.TwilioSettings,
        publicURL: String?,
        http: HTTPClient,
        logger: Logger
    ) -> CloudProvider {
        let callbackURL = publicURL.map { $0 + "/webhooks/twilio" }
        let client = TwilioClient(
            settings: CloudSMS.TwilioSettings(
                accountSID: settings.accountSID,
                credentials: .authToken(settings.authToken.revealed),
                sender: .phoneNumber(settings.from),
                baseURL: settings.baseURL,
                statusCallbackURL: callbackURL,
                connectTimeout: settings.timeouts.connect,
                requestTimeout: settings.timeouts.request,
                proxy: httpProxy(settings.proxy),
                caFile: settings.caFile
            ),
            http: http,
            logger: logger
        )
        return CloudProvider(
            id: id,
            sendsDeliveryReports: callbackURL != nil,
            send: { message in await client.send(to: message.recipient, body: message.text) },
            probe: {
                switch await client.probe() {
                case .healthy: .healthy
                case .unhealthy(let reason): .unhealthy(reason: reason)
                }
            }
        )
    }

    /// Vonage's SMS API. With a public URL, receipts are requested at `<public_url>/webhooks/vonage`.
    public static func vonage(
        id: String,
        settings: Config.VonageSettings,
        publicURL: String?,
        http: HTTPClient,
        logger: Logger
    ) -> CloudProvider {
        let receiptURL = publicURL.map { $0 + "/webhooks/vonage" }
        let client = VonageClient(
            settings: CloudSMS.VonageSettings(
                apiKey: settings.apiKey,
                apiSecret: settings.apiSecret.revealed,
                sender: settings.from,
                baseURL: settings.baseURL,
                deliveryReceiptURL: receiptURL,
                connectTimeout: settings.timeouts.connect,
                requestTimeout: settings.timeouts.request,
                proxy: httpProxy(settings.proxy),
                caFile: settings.caFile
            ),
            http: http,
            logger: logger
        )
        return CloudProvider(
            id: id,
            sendsDeliveryReports: receiptURL != nil,
            send: { message in
                await client.send(to: message.recipient, body: message.text, clientReference: String(message.messageID))
            },
            probe: {
                await reachability(
                    of: settings.baseURL,
                    http: http,
                    timeouts: settings.timeouts,
                    proxy: httpProxy(settings.proxy),
                    caFile: settings.caFile
                )
            }
        )
    }

    /// AWS SNS Publish to a phone number: `Transactional` for emergency and high priority,
    /// `Promotional` for the rest. SNS sends no delivery receipts over HTTP.
    public static func sns(
        id: String,
        settings: Config.SNSSettings,
        http: HTTPClient,
        logger: Logger
    ) -> CloudProvider {
        func client(_ type: CloudSMS.SNSSettings.SMSType) -> SNSClient {
            SNSClient(
                settings: CloudSMS.SNSSettings(
                    credentials: AWSSignatureV4.Credentials(
                        accessKeyID: settings.accessKeyID,
                        secretAccessKey: settings.secretAccessKey.revealed
                    ),
                    region: settings.region,
                    endpoint: settings.endpoint,
                    smsType: type,
                    senderID: settings.senderID,
                    connectTimeout: settings.timeouts.connect,
                    requestTimeout: settings.timeouts.request,
                    proxy: httpProxy(settings.proxy),
                    caFile: settings.caFile
                ),
                http: http,
                logger: logger
            )
        }
        let transactional = client(.transactional)
        let promotional = client(.promotional)
        return CloudProvider(
            id: id,
            sendsDeliveryReports: false,
            send: { message in
                let client = message.priority <= .high ? transactional : promotional
                return await client.send(to: message.recipient, body: message.text)
            },
            probe: {
                await reachability(
                    of: settings.effectiveEndpoint,
                    http: http,
                    timeouts: settings.timeouts,
                    proxy: httpProxy(settings.proxy),
                    caFile: settings.caFile
                )
            }
        )
    }

    /// Checks that the API host resolves and responds to HTTP at all, without sending a message:
    /// any HTTP status counts as reachable.
    static func reachability(
        of url: String,
        http: HTTPClient,
        timeouts: HTTPTimeouts,
        proxy: HTTPProxy?,
        caFile: String?
    ) async -> ProbeResult {
        let request = HTTPRequest(
            method: .get,
            url: url,
            connectTimeout: timeouts.connect,
            timeout: timeouts.request,
            proxy: proxy,
            caBundlePath: caFile
        )
        do {
            _ = try await http.execute(request)
            return .healthy
        } catch {
            return .unhealthy(reason: "\(url) unreachable: \(error.detail)")
        }
    }

    /// Converts a provider's `proxy` settings to the HTTP client's form; returns nil without them.
    static func httpProxy(_ settings: HTTPProxySettings?) -> HTTPProxy? {
        guard let settings else { return nil }
        let credentials = settings.username.flatMap { username in
            settings.password.map { BasicCredentials(username: username, password: $0.revealed) }
        }
        return HTTPProxy(url: settings.url, credentials: credentials, noProxy: settings.noProxy)
    }
}
