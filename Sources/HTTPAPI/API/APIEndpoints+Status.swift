import Config
import Foundation
import Gateway
import Store

extension APIEndpoints {
    /// `GET /v1/providers`: the pool in config order with breaker, health and send slots.
    func providers() async throws -> HTTPResponse {
        let overviews = await context.providers()
        return JSONResponse.make(status: 200, ProviderList(providers: overviews.map { provider($0) }))
    }

    /// `GET /v1/queue`: queued and sending messages per priority.
    func queue() async throws -> HTTPResponse {
        let depth = try await store.queueDepth()
        return JSONResponse.make(status: 200, APIBodies.Queue(depth))
    }

    /// `GET /healthz`: 200 while the dispatcher makes progress, else 503.
    func health() async -> HTTPResponse {
        let healthy = await context.dispatcherHealthy()
        return JSONResponse.make(status: healthy ? 200 : 503, APIBodies.Health(status: healthy ? "ok" : "stalled"))
    }

    /// Builds the JSON body of one provider.
    func provider(_ overview: ProviderOverview) -> ProviderBody {
        let status = overview.status
        let type = config.providers.first { $0.id == status.id }?.type.rawValue
        var breaker = "closed"
        var openUntil: Date?
        switch status.breaker {
        case .closed: breaker = "closed"
        case .halfOpen: breaker = "half_open"
        case .open(let until):
            breaker = "open"
            openUntil = until
        }
        return ProviderBody(
            id: status.id,
            type: type,
            health: overview.health,
            breaker: breaker,
            breakerOpenUntil: openUntil,
            consecutiveFailures: status.consecutiveFailures,
            pausedUntil: status.pausedUntil,
            sendsInFlight: status.sendsInFlight,
            maxConcurrentSends: status.maxConcurrentSends,
            availableTokens: status.availableTokens
        )
    }

    struct ProviderBody: Encodable {
        var id: String
        var type: String?
        var health: String
        /// `closed`, `half_open` or `open`.
        var breaker: String
        var breakerOpenUntil: Date?
        var consecutiveFailures: Int
        var pausedUntil: Date?
        var sendsInFlight: Int
        var maxConcurrentSends: Int
        var availableTokens: Double?
    }

    struct ProviderList: Encodable {
        var providers: [ProviderBody]
    }
}
