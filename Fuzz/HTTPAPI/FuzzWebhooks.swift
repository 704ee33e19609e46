import CloudSMS
import Config
import Diagnostics
import Foundation
import Gateway
import Store

/// libFuzzer entry point: feeds arbitrary bytes to the provider webhooks through the API's own
/// request handling (`APIServer.respond(to:)`: routing, Twilio's signature check, form, query
/// and JSON decoding, the report handler), without a listening socket.
///
/// Input layout: octet 0 bits 0 and 1 pick the request: a Twilio status callback (POST form), or a
/// Vonage receipt as a GET query, a POST form or a POST JSON body. For Twilio with bit 2 set, the
/// entry point signs the body with the configured auth token, as Twilio would. With bit 2 clear,
/// the bytes up to the first NUL are the `X-Twilio-Signature` header and the rest is the body.
///
/// Properties checked: nothing traps; every response is 204 or a 4xx, never a 5xx; a Twilio
/// callback whose signature does not match is 403 and reaches no handler; a 204 hands exactly
/// one report with a provider message id to the handler, and a rejection hands none. A Twilio
/// body that is not a valid form is 400 before its signature is looked at.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhooks(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = data[0]
    var rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let stage = WebhookStage.shared
    stage.reports.take()

    let request: HTTPRequest
    var mustBeForbidden = false
    switch selector & 3 {
    case 0:
        var headers = [HTTPField(name: "Content-Type", value: "application/x-www-form-urlencoded")]
        let url = APIEndpoints.signedURL(publicURL: WebhookStage.publicURL, path: "/webhooks/twilio")
        if selector & 4 != 0 {
            if let fields = try? FormEncoding.decode(String(decoding: rest, as: UTF8.self)) {
                let signature = TwilioSignature(authToken: WebhookStage.twilioToken).expectedSignature(url: url, parameters: fields)
                headers.append(HTTPField(name: "X-Twilio-Signature", value: signature))
            }
        } else {
            let cut = rest.firstIndex(of: 0) ?? 0
            let signature = String(decoding: rest[..<cut], as: UTF8.self)
            rest = Array(rest[(cut == rest.endIndex ? cut : cut + 1)...])
            headers.append(HTTPField(name: "X-Twilio-Signature", value: signature))
            // A body that is not a form cannot be checked and is 400 whatever the signature.
            if let fields = try? FormEncoding.decode(String(decoding: rest, as: UTF8.self)) {
                let expected = TwilioSignature(authToken: WebhookStage.twilioToken).expectedSignature(url: url, parameters: fields)
                mustBeForbidden = signature != expected
            }
        }
        request = HTTPRequest(method: "POST", path: "/webhooks/twilio", headers: headers, body: rest)
    case 1:
        let text = String(decoding: rest, as: UTF8.self)
        let query =
            (try? FormEncoding.decode(text))?.map { HTTPField(name: $0.name, value: $0.value) }
            ?? text.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return HTTPField(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
            }
        request = HTTPRequest(method: "GET", path: "/webhooks/vonage", query: query)
    case 2:
        request = HTTPRequest(
            method: "POST",
            path: "/webhooks/vonage",
            headers: [HTTPField(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: rest
        )
    default:
        request = HTTPRequest(
            method: "POST",
            path: "/webhooks/vonage",
            headers: [HTTPField(name: "Content-Type", value: "application/json; charset=utf-8")],
            body: rest
        )
    }

    let response = stage.respond(to: request)
    let reports = stage.reports.take()
    precondition(response.status == 204 || (400..<500).contains(response.status), "status \(response.status)")
    if mustBeForbidden {
        precondition(response.status == 403, "a callback with a bad signature got \(response.status)")
    }
    if response.status == 204 {
        precondition(reports.count == 1, "a 204 handed \(reports.count) reports to the handler")
        precondition(!reports[0].providerMessageID.isEmpty, "a report without a provider message id")
    } else {
        precondition(reports.isEmpty, "a rejected webhook reached the handler")
    }
    return 0
}

/// The API server the webhooks go to: one Twilio and one Vonage provider, a public URL, and a
/// report handler that records what it is given. Built once per fuzzing process.
final class WebhookStage: Sendable {
    static let publicURL = "https://lifeline.example.org/gateway/"
    static let twilioToken = "fuzz-twilio-auth-token"
    static let shared = WebhookStage()

    let server: APIServer
    let reports = ReportBox()

    private init() {
        var config = LifelineConfig(
            database: "/unused",
            providers: [
                ProviderSettings(
                    id: "twilio-main",
                    kind: .twilio(
                        Config.TwilioSettings(
                            accountSID: "AC0123456789abcdef0123456789abcdef",
                            authToken: Secret(Self.twilioToken),
                            from: "+15005550006"
                        )
                    )
                ),
                ProviderSettings(
                    id: "vonage-backup",
                    kind: .vonage(Config.VonageSettings(apiKey: "abcd1234", apiSecret: Secret("v-secret"), from: "Lifeline"))
                ),
            ]
        )
        config.defaultRegion = "GB"

        var settings = HTTPSettings()
        settings.listenPort = 0
        settings.publicURL = Self.publicURL
        // No webhook uses the store, but the server needs one. Its files are unlinked once it is
        // open, so a fuzzing run leaves no database behind.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-fuzz-webhooks-\(getpid()).sqlite"
        ).path
        let store = blocking { try! await SQLiteStore(path: path, notifiesWakeListener: false) }
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }

        let reports = self.reports
        let context = APIContext(
            wakeDispatcher: {},
            providers: { [] },
            deliveryReport: { reports.append($0) },
            dispatcherHealthy: { true }
        )
        server = APIServer(
            settings: settings,
            config: config,
            store: store,
            context: context,
            logger: Logger(label: "fuzz", level: .trace, handler: DiscardLogHandler()),
            limits: HTTPServerLimits(),
            maxEventStreams: 1
        )
    }

    /// Handles one request and waits for the response.
    func respond(to request: HTTPRequest) -> HTTPResponse {
        let server = self.server
        return blocking { await server.respond(to: request) }
    }
}

/// The reports the handler received since the last `take()`.
final class ReportBox: @unchecked Sendable {
    // @unchecked: `lock` guards `reports`.
    private let lock = NSLock()
    private var reports: [DeliveryReport] = []

    func append(_ report: DeliveryReport) {
        lock.withLock { reports.append(report) }
    }

    @discardableResult
    func take() -> [DeliveryReport] {
        lock.withLock {
            defer { reports = [] }
            return reports
        }
    }
}

/// Runs `operation` on a task and blocks the calling thread (libFuzzer's, never a task's) until it returns.
///
/// The task starts on the calling thread and stays there until its first real suspension, so a
/// handler that never suspends costs no thread hop. A plain `Task` took about 15 ms per run here,
/// waiting for a thread of the shared pool.
private func blocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let slot = BlockingSlot<T>()
    let done = DispatchSemaphore(value: 0)
    Task.immediate {
        slot.value = await operation()
        done.signal()
    }
    done.wait()
    return slot.value!
}

/// The result of a `blocking` call.
private final class BlockingSlot<T: Sendable>: @unchecked Sendable {
    // @unchecked: written once by the task before the semaphore is signalled, read after the wait.
    var value: T?
}
