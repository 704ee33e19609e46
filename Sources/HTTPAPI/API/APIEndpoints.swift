import Config
import Diagnostics
import Foundation
import Gateway
import Store

/// The route handlers and what they share. Each facet lives in its own extension file.
struct APIEndpoints: Sendable {
    let settings: HTTPSettings
    let config: LifelineConfig
    let store: any QueueDatabase
    let context: APIContext
    let logger: Logger
    let events: EventStreamHub
    let intake: Intake
    let clock = SubmissionClock()
    /// Each recently read broadcast's send rate, for its estimate of time left.
    let rates = BroadcastRateTracker()

    init(
        settings: HTTPSettings,
        config: LifelineConfig,
        store: any QueueDatabase,
        context: APIContext,
        logger: Logger,
        events: EventStreamHub
    ) {
        self.settings = settings
        self.config = config
        self.store = store
        self.context = context
        self.logger = logger
        self.events = events
        intake = Intake(config: config)
    }

    /// Parses the positive integer `id` path parameter, throwing `notFound` for anything else.
    func identifier(_ match: APIRouter.Match, notFound: APIError.Code, noun: String) throws(APIError) -> Int64 {
        let text = match.parameters["id"] ?? ""
        guard let id = Int64(text), id > 0 else {
            throw APIError(notFound, "no \(noun) has id \(text)")
        }
        return id
    }

    /// Parses the `limit` query parameter: `defaultValue` when absent, else 1 to `maximum`.
    func limit(_ request: HTTPRequest, defaultValue: Int = 50, maximum: Int = 500) throws(APIError) -> Int {
        guard let text = request.queryValue("limit") else { return defaultValue }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw APIError(.invalidValue, "limit must be a whole number from 1 to \(maximum)", field: "limit")
        }
        return value
    }

    /// Parses the optional `priority` field, `normal` when absent.
    static func priority(_ text: String?) throws(APIError) -> Priority {
        guard let text else { return .normal }
        guard let priority = Priority(rawValue: text) else {
            throw APIError(
                .invalidValue,
                "priority must be one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))",
                field: "priority"
            )
        }
        return priority
    }

    /// Checks the optional `idempotency_key` field: 1 to 200 characters.
    static func idempotencyKey(_ text: String?) throws(APIError) -> String? {
        guard let text else { return nil }
        guard (1...200).contains(text.count) else {
            throw APIError(.invalidValue, "idempotency_key must have 1 to 200 characters", field: "idempotency_key")
        }
        return text
    }
}
