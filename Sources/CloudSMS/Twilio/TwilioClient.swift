import Diagnostics

/// Sends SMS through Twilio's Messages resource
/// (`POST {baseURL}/2010-04-01/Accounts/{AccountSid}/Messages.json`).
///
/// One `send` is one HTTP request and never throws: every result, failures included, is a
/// `CloudSendResult`. There are no retries here; the router decides what happens next.
public struct TwilioClient: Sendable {
    public let settings: TwilioSettings
    private let http: HTTPClient
    private let logger: Logger

    /// - Parameters:
    ///   - http: shared with other providers; its transfer thread does the I/O.
    ///   - logger: gets one `debug` line per send, with the recipient masked and no message text.
    public init(settings: TwilioSettings, http: HTTPClient, logger: Logger) {
        self.settings = settings
        self.http = http
        self.logger = logger
    }

    /// Creates one message.
    /// - Parameters:
    ///   - recipient: E.164 with the leading `+` (`To`).
    ///   - body: the text (`Body`); Twilio splits long text into segments itself.
    public func send(to recipient: String, body: String) async -> CloudSendResult {
        let request = makeRequest(to: recipient, body: body)
        let result: CloudSendResult
        do {
            let response = try await http.execute(request)
            result = TwilioResponseClassifier.classify(response)
        } catch {
            result = TwilioResponseClassifier.classify(error)
        }
        logger.debug(
            "Twilio send finished",
            metadata: ["twilio.recipient": redactedPhoneNumber(recipient), "twilio.result": "\(result)"]
        )
        return result
    }

    /// Checks reachability and credentials by listing at most one message of the account
    /// (`GET …/Messages.json?PageSize=1`); sends nothing and costs nothing.
    public func probe() async -> CloudProbeResult {
        let request = HTTPRequest(
            method: .get,
            url: "\(settings.baseURL)/2010-04-01/Accounts/\(settings.accountSID)/Messages.json?PageSize=1",
            headers: [HTTPHeader(name: "Accept", value: "application/json")],
            credentials: settings.basicCredentials,
            connectTimeout: settings.connectTimeout,
            timeout: settings.requestTimeout,
            proxy: settings.proxy,
            caBundlePath: settings.caFile
        )
        do {
            let response = try await http.execute(request)
            if response.status == 200 { return .healthy }
            switch TwilioResponseClassifier.classify(response) {
            case .unavailable(let reason), .ambiguous(let reason), .throttled(_, let reason):
                return .unhealthy(reason: reason)
            case .recipientError(let code, let message):
                return .unhealthy(reason: "Twilio code \(code): \(message)")
            case .accepted:
                return .unhealthy(reason: "Twilio returned HTTP \(response.status) to the probe")
            }
        } catch {
            return .unhealthy(reason: "Twilio unreachable: \(error)")
        }
    }

    /// Builds the request `send` makes; internal so tests can inspect it.
    func makeRequest(to recipient: String, body: String) -> HTTPRequest {
        var fields = [FormField(name: "To", value: recipient)]
        switch settings.sender {
        case .phoneNumber(let number): fields.append(FormField(name: "From", value: number))
        case .messagingService(let sid): fields.append(FormField(name: "MessagingServiceSid", value: sid))
        }
        fields.append(FormField(name: "Body", value: body))
        if let url = settings.statusCallbackURL {
            fields.append(FormField(name: "StatusCallback", value: url))
        }
        if let period = settings.validityPeriod {
            let seconds = min(36_000, max(1, period.components.seconds))
            fields.append(FormField(name: "ValidityPeriod", value: "\(seconds)"))
        }
        return HTTPRequest(
            method: .post,
            url: "\(settings.baseURL)/2010-04-01/Accounts/\(settings.accountSID)/Messages.json",
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                HTTPHeader(name: "Accept", value: "application/json"),
            ],
            body: Array(FormEncoding.encode(fields).utf8),
            credentials: settings.basicCredentials,
            connectTimeout: settings.connectTimeout,
            timeout: settings.requestTimeout,
            proxy: settings.proxy,
            caBundlePath: settings.caFile
        )
    }
}
