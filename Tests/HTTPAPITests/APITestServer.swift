import Config
import Diagnostics
import Foundation
import Gateway
import Store

@testable import HTTPAPI

/// What the test's daemon closures saw.
actor ContextRecorder {
    private(set) var wakes = 0
    private(set) var reports: [DeliveryReport] = []
    var healthy = true
    var overviews: [ProviderOverview] = []
    var radios: [String: ModemRadio] = [:]

    func wake() { wakes += 1 }
    func record(_ report: DeliveryReport) { reports.append(report) }
    func setHealthy(_ value: Bool) { healthy = value }
    func setOverviews(_ value: [ProviderOverview]) { overviews = value }
    func setRadios(_ value: [String: ModemRadio]) { radios = value }
}

/// A running API server on 127.0.0.1 with a real SQLite file in a temporary directory.
final class APITestServer: Sendable {
    static let readToken = "read-token-0123456789abcdef"
    static let sendToken = "send-token-0123456789abcdef"
    static let adminToken = "admin-token-0123456789abcdef"
    static let twilioAuthToken = "twilio-auth-token-0123456789"
    static let twilioAccount = "AC0123456789abcdef0123456789abcdef"
    static let publicURL = "https://lifeline.example.org/gateway"

    let server: APIServer
    let store: SQLiteStore
    let recorder: ContextRecorder
    let directory: URL
    let logs: InMemoryLogHandler
    /// The send latencies `/metrics` reports; tests record into it.
    let sendLatency: SendLatencyHistogram
    /// Every exchange made through `send`, for the OpenAPI check.
    let exchanges = ExchangeLog()

    var port: Int { server.port }

    /// Starts a server with three tokens (read, send, admin), a Twilio and a Vonage provider.
    static func start(
        limits: HTTPServerLimits = HTTPServerLimits(),
        maxEventStreams: Int = 8,
        host: String = "127.0.0.1",
        publicURL: String? = publicURL + "/",
        config: LifelineConfig = config()
    ) async throws -> APITestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-http-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try await SQLiteStore(
            path: directory.appendingPathComponent("queue.sqlite").path,
            notifiesWakeListener: false
        )
        let recorder = ContextRecorder()
        let sendLatency = SendLatencyHistogram()
        await recorder.setOverviews([
            ProviderOverview(
                status: ProviderStatus(
                    id: "twilio-main",
                    breaker: .closed,
                    consecutiveFailures: 0,
                    pausedUntil: nil,
                    sendsInFlight: 1,
                    maxConcurrentSends: 4,
                    availableTokens: 3.5
                ),
                health: "healthy"
            ),
            ProviderOverview(
                status: ProviderStatus(
                    id: "modem-1",
                    breaker: .open(until: Date(timeIntervalSince1970: 1_900_000_000)),
                    consecutiveFailures: 0,
                    pausedUntil: nil,
                    sendsInFlight: 0,
                    maxConcurrentSends: 1,
                    availableTokens: nil
                ),
                health: "unhealthy: not registered"
            ),
        ])
        let context = APIContext(
            wakeDispatcher: { Task { await recorder.wake() } },
            providers: { await recorder.overviews },
            deliveryReport: { await recorder.record($0) },
            dispatcherHealthy: { await recorder.healthy },
            sendLatency: { sendLatency.snapshot() },
            modemRadios: { await recorder.radios }
        )
        var settings = HTTPSettings()
        settings.listenHost = host
        settings.listenPort = 0
        settings.publicURL = publicURL
        let logs = InMemoryLogHandler()
        let server = APIServer(
            settings: settings,
            config: config,
            store: store,
            context: context,
            logger: Logger(label: "http-test", level: .trace, handler: logs),
            limits: limits,
            maxEventStreams: maxEventStreams
        )
        try server.start()
        return APITestServer(
            server: server,
            store: store,
            recorder: recorder,
            directory: directory,
            logs: logs,
            sendLatency: sendLatency
        )
    }

    private init(
        server: APIServer,
        store: SQLiteStore,
        recorder: ContextRecorder,
        directory: URL,
        logs: InMemoryLogHandler,
        sendLatency: SendLatencyHistogram
    ) {
        self.server = server
        self.store = store
        self.recorder = recorder
        self.directory = directory
        self.logs = logs
        self.sendLatency = sendLatency
    }

    static func config() -> LifelineConfig {
        var config = LifelineConfig(
            database: "/unused",
            providers: [
                ProviderSettings(
                    id: "twilio-main",
                    kind: .twilio(
                        Config.TwilioSettings(
                            accountSID: twilioAccount,
                            authToken: Secret(twilioAuthToken),
                            from: "+15005550006"
                        )
                    )
                ),
                ProviderSettings(
                    id: "vonage-backup",
                    kind: .vonage(
                        Config.VonageSettings(
                            apiKey: "abcd1234",
                            apiSecret: Secret("vonage-secret-123"),
                            from: "Lifeline"
                        )
                    )
                ),
            ]
        )
        config.defaultRegion = "GB"
        config.apiTokens = [
            APITokenSettings(name: "reader", role: .read, token: Secret(readToken)),
            APITokenSettings(name: "sender", role: .send, token: Secret(sendToken)),
            APITokenSettings(name: "operator", role: .admin, token: Secret(adminToken)),
        ]
        return config
    }

    /// Stops the server, closes the store and removes the directory.
    func shutdown() async {
        await server.stop()
        await store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends a request with an optional bearer token and JSON body, and records the exchange.
    func send(
        _ method: String,
        _ path: String,
        token: String? = nil,
        json: Any? = nil,
        body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) async throws -> RawResponse {
        var allHeaders = headers
        if let token { allHeaders.append(("Authorization", "Bearer \(token)")) }
        var bytes = body ?? []
        if let json {
            bytes = Array(try JSONSerialization.data(withJSONObject: json))
            allHeaders.append(("Content-Type", "application/json"))
        }
        let response = try await RawHTTPClient.send(
            port: port,
            method: method,
            path: path,
            headers: allHeaders,
            body: bytes
        )
        exchanges.record(
            method: method,
            path: path,
            requestHeaders: allHeaders,
            requestBody: bytes,
            response: response
        )
        return response
    }
}

/// Request and response pairs, written as JSON for `Tests/Peers/openapi_check.py`.
final class ExchangeLog: @unchecked Sendable {
    // @unchecked: `lock` guards `entries`.
    private let lock = NSLock()
    private var entries: [[String: Any]] = []

    func record(
        method: String,
        path: String,
        requestHeaders: [(String, String)],
        requestBody: [UInt8],
        response: RawResponse
    ) {
        let parts = path.split(separator: "?", maxSplits: 1)
        var headers: [String: String] = [:]
        for (name, value) in requestHeaders { headers[name.lowercased()] = value }
        let entry: [String: Any] = [
            "method": method,
            "path": String(parts.first ?? ""),
            "query": parts.count > 1 ? String(parts[1]) : "",
            "request_headers": headers,
            "request_body": String(decoding: requestBody, as: UTF8.self),
            "status": response.status,
            "response_headers": response.headers,
            "response_body": response.text,
        ]
        lock.withLock { entries.append(entry) }
    }

    /// Writes every exchange so far as a JSON array.
    func write(to url: URL) throws {
        let data = try lock.withLock { try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted]) }
        try data.write(to: url)
    }

    var count: Int { lock.withLock { entries.count } }
}
