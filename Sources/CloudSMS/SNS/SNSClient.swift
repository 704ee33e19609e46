import Diagnostics
import Foundation

/// Sends SMS through Amazon SNS with the Query API's `Publish` action and a phone number target.
///
/// Each request is signed with Signature Version 4 at send time. One `send` is one HTTP request and
/// never throws: every result, failures included, is a `CloudSendResult`. SNS sends no delivery
/// receipts over HTTP (they go to CloudWatch Logs), so a caller tracking delivery gets none here.
public struct SNSClient: Sendable {
    public let settings: SNSSettings
    private let http: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - http: shared with other providers; its transfer thread does the I/O.
    ///   - logger: gets one `debug` line per send, with the recipient masked and no message text.
    ///   - now: the signing clock; AWS rejects signatures more than 5 minutes off its own.
    public init(
        settings: SNSSettings,
        http: HTTPClient,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.settings = settings
        self.http = http
        self.logger = logger
        self.now = now
    }

    /// Publishes one SMS.
    /// - Parameters:
    ///   - recipient: E.164 with the leading `+` (`PhoneNumber`); SNS rejects numbers without it.
    ///   - body: the text (`Message`).
    public func send(to recipient: String, body: String) async -> CloudSendResult {
        let request = makeRequest(to: recipient, body: body, date: now())
        let result: CloudSendResult
        do {
            let response = try await http.execute(request)
            result = SNSResponseClassifier.classify(response)
        } catch {
            result = SNSResponseClassifier.classify(error)
        }
        logger.debug(
            "SNS publish finished",
            metadata: ["sns.recipient": redactedPhoneNumber(recipient), "sns.result": "\(result)"]
        )
        return result
    }

    /// Builds the signed request `send` makes.
    func makeRequest(to recipient: String, body: String, date: Date) -> HTTPRequest {
        var fields = [
            FormField(name: "Action", value: "Publish"),
            FormField(name: "Version", value: "2010-03-31"),
            FormField(name: "PhoneNumber", value: recipient),
            FormField(name: "Message", value: body),
        ]
        var attributes = [("AWS.SNS.SMS.SMSType", settings.smsType.rawValue)]
        if let senderID = settings.senderID {
            attributes.append(("AWS.SNS.SMS.SenderID", senderID))
        }
        for (index, (name, value)) in attributes.enumerated() {
            let prefix = "MessageAttributes.entry.\(index + 1)"
            fields.append(FormField(name: "\(prefix).Name", value: name))
            fields.append(FormField(name: "\(prefix).Value.DataType", value: "String"))
            fields.append(FormField(name: "\(prefix).Value.StringValue", value: value))
        }
        var request = HTTPRequest(
            method: .post,
            url: settings.effectiveEndpoint + "/",
            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
            // Spaces as `+`, as AWS's SDKs send them: a server that re-encodes the parsed form
            // before checking the signature (moto does) then computes the same text.
            body: Array(FormEncoding.encode(fields, spacesAsPlus: true).utf8),
            connectTimeout: settings.connectTimeout,
            timeout: settings.requestTimeout,
            proxy: settings.proxy,
            caBundlePath: settings.caFile
        )
        AWSSignatureV4(credentials: settings.credentials, region: settings.region, service: "sns")
            .sign(&request, date: date)
        return request
    }
}
