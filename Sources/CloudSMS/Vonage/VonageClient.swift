import Diagnostics

/// Sends SMS through Vonage's SMS API.
///
/// One `send` is one HTTP request and never throws: every result, failures included, is a
/// `CloudSendResult`. Vonage splits long text into parts and returns one message id per part;
/// the result carries the first part's id.
public struct VonageClient: Sendable {
    public let settings: VonageSettings
    private let http: HTTPClient
    private let logger: Logger

    /// - Parameters:
    ///   - http: shared with other providers; its transfer thread does the I/O.
    ///   - logger: gets one `debug` line per send, with the recipient masked and no message text.
    public init(settings: VonageSettings, http: HTTPClient, logger: Logger) {
        self.settings = settings
        self.http = http
        self.logger = logger
    }

    // NOTE: delivery receipts arrive per part, so receipts for the second and later parts of a
    // long message carry ids the caller never received.
    /// Sends one message.
    /// - Parameters:
    ///   - recipient: E.164 with the leading `+`, sent without it (`to`).
    ///   - body: the text (`text`); sent as `type=unicode` unless every character is plain ASCII
    ///     that GSM 03.38 also has, so no character is ever replaced.
    ///   - clientReference: echoed in the delivery receipt (`client-ref`), at most 100 characters.
    public func send(to recipient: String, body: String, clientReference: String? = nil) async -> CloudSendResult {
        let request = makeRequest(to: recipient, body: body, clientReference: clientReference)
        let result: CloudSendResult
        do {
            let response = try await http.execute(request)
            result = VonageResponseClassifier.classify(response)
        } catch {
            result = VonageResponseClassifier.classify(error)
        }
        logger.debug(
            "Vonage send finished",
            metadata: ["vonage.recipient": redactedPhoneNumber(recipient), "vonage.result": "\(result)"]
        )
        return result
    }

    /// Builds the request `send` makes.
    func makeRequest(to recipient: String, body: String, clientReference: String?) -> HTTPRequest {
        var fields = [
            FormField(name: "api_key", value: settings.apiKey),
            FormField(name: "api_secret", value: settings.apiSecret),
            FormField(name: "from", value: Self.withoutPlus(settings.sender)),
            FormField(name: "to", value: Self.withoutPlus(recipient)),
            FormField(name: "text", value: body),
            FormField(name: "type", value: Self.isPlainGSMText(body) ? "text" : "unicode"),
        ]
        if let url = settings.deliveryReceiptURL {
            fields.append(FormField(name: "status-report-req", value: "true"))
            fields.append(FormField(name: "callback", value: url))
        }
        if let clientReference {
            fields.append(FormField(name: "client-ref", value: String(clientReference.prefix(100))))
        }
        return HTTPRequest(
            method: .post,
            url: "\(settings.baseURL)/sms/json",
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                HTTPHeader(name: "Accept", value: "application/json"),
            ],
            body: Array(FormEncoding.encode(fields).utf8),
            connectTimeout: settings.connectTimeout,
            timeout: settings.requestTimeout,
            proxy: settings.proxy,
            caBundlePath: settings.caFile
        )
    }

    private static func withoutPlus(_ number: String) -> String {
        number.hasPrefix("+") ? String(number.dropFirst()) : number
    }

    /// Checks for printable ASCII and line breaks only, minus the few ASCII characters GSM 03.38 lacks
    /// (backquote) or has only in its extension table (`[ ] { } \ ^ | ~`), which cost two septets.
    static func isPlainGSMText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "\n", "\r": true
            case "`", "[", "]", "{", "}", "\\", "^", "|", "~": false
            default: scalar.value >= 0x20 && scalar.value < 0x7F
            }
        }
    }
}
