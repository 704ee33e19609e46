import Config
import Diagnostics
import Foundation
import Store

/// The daemon's HTTP side: the JSON API under `/v1`, provider webhooks, `/healthz`, `/metrics`,
/// the status page at `/` and its event stream.
///
/// Routes and the role each needs:
/// - `POST /v1/messages`, `POST /v1/messages/{id}/cancel`, `POST /v1/broadcasts`,
///   `POST /v1/broadcasts/{id}/cancel`: send.
/// - `POST /v1/contacts/import`: admin, because it changes the groups broadcasts go to.
/// - `GET /v1/messages`, `GET /v1/messages/{id}`, `GET /v1/broadcasts`, `GET /v1/broadcasts/{id}`,
///   `GET /v1/providers`, `GET /v1/queue`, `GET /v1/events`: read.
/// - `POST /webhooks/twilio`, `GET|POST /webhooks/vonage`: no token; Twilio's signature is checked.
/// - `GET /healthz`, `GET /metrics`, `GET /`: no token. Metrics carry counts and provider ids only,
///   no numbers or texts, so a Prometheus on the site network can scrape without a credential.
///
/// Roles rank read < send < admin; a token may do everything its role and lower roles may.
/// Threads and limits are those of `HTTPServer`: one thread per connection up to 64, bodies up
/// to 1 MiB, headers within 64 KiB, idle connections closed after 30 s, a handler cut off after
/// 60 s, at most 8 event streams at once.
///
/// Call `start()` then `stop()`, or `run()` as a service that stops when its task is cancelled.
/// `start()` binds at once on the calling thread (a socket call, no name lookup).
public final class APIServer: Sendable {
    private let server: HTTPServer
    private let endpoints: APIEndpoints
    private let router: APIRouter
    private let authenticator: BearerAuthenticator
    private let logger: Logger

    /// Prepares the server; nothing is bound until `start()`.
    ///
    /// - Parameters:
    ///   - settings: the listen address and port (0 lets the kernel choose, see `port`) and the
    ///     public URL that Twilio signatures cover.
    ///   - config: API tokens, providers (for webhook credentials and ids), default region and
    ///     segment limit for intake.
    public convenience init(
        settings: HTTPSettings,
        config: LifelineConfig,
        store: any QueueDatabase,
        context: APIContext,
        logger: Logger
    ) {
        self.init(
            settings: settings,
            config: config,
            store: store,
            context: context,
            logger: logger,
            limits: HTTPServerLimits(),
            maxEventStreams: 8
        )
    }

    init(
        settings: HTTPSettings,
        config: LifelineConfig,
        store: any QueueDatabase,
        context: APIContext,
        logger: Logger,
        limits: HTTPServerLimits,
        maxEventStreams: Int
    ) {
        var logger = logger
        logger[metadataKey: "http.listen"] = settings.listen
        let endpoints = APIEndpoints(
            settings: settings,
            config: config,
            store: store,
            context: context,
            logger: logger,
            events: EventStreamHub(maxStreams: maxEventStreams)
        )
        let router = APIRouter.lifeline(endpoints)
        let requestLogger = logger
        let authenticator = BearerAuthenticator(tokens: config.apiTokens)
        self.endpoints = endpoints
        self.router = router
        self.authenticator = authenticator
        self.logger = logger
        server = HTTPServer(
            host: APIServer.bindAddress(for: settings.listenHost),
            port: settings.listenPort,
            limits: limits,
            logger: logger
        ) { request in
            await APIServer.handle(request, router: router, authenticator: authenticator, logger: requestLogger)
        }
    }

    /// The bound port: the kernel's choice when the settings give port 0, and 0 before `start()`.
    public var port: Int { server.port }

    /// Binds the listen address and starts serving on libmicrohttpd's threads.
    /// - Throws: `HTTPServerError` when the address is not an IP literal or cannot be bound.
    public func start() throws(HTTPServerError) {
        try server.start()
        let twilio = endpoints.config.providers.filter { $0.type == .twilio }
        if !twilio.isEmpty, endpoints.settings.publicURL == nil {
            logger.warning(
                "Twilio status callbacks are rejected until http.public_url is set",
                metadata: ["webhook.provider": twilio.map(\.id).joined(separator: ",")]
            )
        }
    }

    /// The address to bind: an IP literal as configured, with `localhost` read as 127.0.0.1 so
    /// that starting never waits on a name lookup. Other host names fail at `start()`.
    static func bindAddress(for host: String) -> String {
        host.lowercased() == "localhost" ? "127.0.0.1" : host
    }

    /// Ends the event streams, stops accepting connections and waits for the requests under way.
    public func stop() async {
        await endpoints.events.closeAll()
        await server.stop()
    }

    /// Starts, serves until the calling task is cancelled, then stops.
    /// - Throws: `HTTPServerError` from `start()`.
    public func run() async throws {
        try start()
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        await stop()
    }

    /// The event stream registry, for tests of its limit.
    var eventHubForTesting: EventStreamHub { endpoints.events }

    /// Handles one request in-process, as the server does for a request off the wire.
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        await APIServer.handle(request, router: router, authenticator: authenticator, logger: logger)
    }

    /// Routes one request; every error becomes its JSON response here.
    static func handle(
        _ request: HTTPRequest,
        router: APIRouter,
        authenticator: BearerAuthenticator,
        logger: Logger
    ) async -> HTTPResponse {
        do {
            guard !request.bodyExceededLimit else {
                throw APIError(
                    .payloadTooLarge,
                    "the request body is larger than the server accepts; send at most 1 MiB"
                )
            }
            let (route, match) = try router.route(method: request.method, path: request.path)
            if case .token(let role) = route.access {
                let caller = try authenticator.authenticate(
                    authorization: request.header("authorization"),
                    required: role
                )
                logger.trace(
                    "Authenticated request",
                    metadata: ["http.method": request.method, "http.path": request.path, "api.token": caller.name]
                )
            }
            var response = try await route.handler(request, match)
            if request.method == "HEAD" { response.body = .bytes([]) }
            return response
        } catch let error as APIError {
            logger.debug(
                "Rejected request",
                metadata: [
                    "http.method": request.method, "http.path": request.path, "http.status": "\(error.status)",
                    "api.error": error.code.rawValue,
                ]
            )
            return error.response
        } catch {
            logger.error(
                "Request failed",
                metadata: ["http.method": request.method, "http.path": request.path, "error": "\(error)"]
            )
            return APIError(.internalError, "the request could not be completed: \(error)").response
        }
    }
}

extension APIRouter {
    /// Builds the router with every route of the API.
    static func lifeline(_ endpoints: APIEndpoints) -> APIRouter {
        var router = APIRouter()
        router.add("POST", "/v1/messages", access: .token(.send)) { request, _ in
            try await endpoints.submitMessage(request)
        }
        router.add("GET", "/v1/messages", access: .token(.read)) { request, _ in
            try await endpoints.listMessages(request)
        }
        router.add("GET", "/v1/messages/{id}", access: .token(.read)) { _, match in
            try await endpoints.message(match)
        }
        router.add("POST", "/v1/messages/{id}/cancel", access: .token(.send)) { _, match in
            try await endpoints.cancelMessage(match)
        }
        router.add("POST", "/v1/broadcasts", access: .token(.send)) { request, _ in
            try await endpoints.submitBroadcast(request)
        }
        router.add("GET", "/v1/broadcasts", access: .token(.read)) { request, _ in
            try await endpoints.listBroadcasts(request)
        }
        router.add("GET", "/v1/broadcasts/{id}", access: .token(.read)) { _, match in
            try await endpoints.broadcast(match)
        }
        router.add("POST", "/v1/broadcasts/{id}/cancel", access: .token(.send)) { _, match in
            try await endpoints.cancelBroadcast(match)
        }
        router.add("POST", "/v1/contacts/import", access: .token(.admin)) { request, _ in
            try await endpoints.importContacts(request)
        }
        router.add("GET", "/v1/providers", access: .token(.read)) { _, _ in
            try await endpoints.providers()
        }
        router.add("GET", "/v1/queue", access: .token(.read)) { _, _ in
            try await endpoints.queue()
        }
        router.add("GET", "/v1/events", access: .token(.read)) { _, _ in
            try await endpoints.eventStream()
        }
        router.add("POST", "/webhooks/twilio", access: .open) { request, _ in
            try await endpoints.twilioWebhook(request)
        }
        router.add("POST", "/webhooks/vonage", access: .open) { request, _ in
            try await endpoints.vonageWebhook(request)
        }
        router.add("GET", "/webhooks/vonage", access: .open) { request, _ in
            try await endpoints.vonageWebhook(request)
        }
        router.add("GET", "/healthz", access: .open) { _, _ in
            await endpoints.health()
        }
        router.add("GET", "/metrics", access: .open) { _, _ in
            try await endpoints.metrics()
        }
        router.add("GET", "/", access: .open) { _, _ in
            StatusPage.response
        }
        return router
    }
}
