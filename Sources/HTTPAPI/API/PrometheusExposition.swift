import Gateway
import Store

/// Writes metrics in the Prometheus text exposition format 0.0.4.
///
/// The families, each with `# HELP` and `# TYPE`:
/// - `lifeline_messages{state,provider}` gauge: messages in the store; `provider=""` for messages
///   no provider has touched yet.
/// - `lifeline_attempts_total{provider,outcome}` counter: finished attempts. Read from the live
///   tables, so retention pruning lowers it, which Prometheus treats as a counter reset.
/// - `lifeline_breaker_state{provider}` gauge: 0 closed, 1 half-open, 2 open.
/// - `lifeline_queue_depth{priority}` gauge: queued and sending messages.
/// - `lifeline_provider_sends_in_flight{provider}` gauge.
///
/// No send-latency histogram: the store keeps attempt start and finish times per row but no
/// running aggregate, and reading every attempt on each scrape would not stay cheap.
struct PrometheusExposition {
    private var lines: [String] = []

    /// Renders the full exposition for one scrape.
    static func render(counters: StoreCounters, depth: [Priority: Int], providers: [ProviderStatus]) -> String {
        var exposition = PrometheusExposition()
        exposition.family("lifeline_messages", type: "gauge", help: "Messages in the store by state and provider.")
        for state in MessageState.allCases {
            var untouched = counters.messagesByState[state] ?? 0
            for provider in counters.messagesByProvider.keys.sorted() {
                let count = counters.messagesByProvider[provider]?[state] ?? 0
                untouched -= count
                exposition.sample("lifeline_messages", ["state": state.rawValue, "provider": provider], count)
            }
            exposition.sample("lifeline_messages", ["state": state.rawValue, "provider": ""], max(untouched, 0))
        }
        exposition.family(
            "lifeline_attempts_total",
            type: "counter",
            help: "Finished attempts by provider and outcome."
        )
        for provider in counters.attemptsByProvider.keys.sorted() {
            for outcome in AttemptOutcome.allCases {
                let count = counters.attemptsByProvider[provider]?[outcome] ?? 0
                exposition.sample(
                    "lifeline_attempts_total",
                    ["provider": provider, "outcome": outcome.rawValue],
                    count
                )
            }
        }
        exposition.family(
            "lifeline_breaker_state",
            type: "gauge",
            help: "Circuit breaker per provider: 0 closed, 1 half-open, 2 open."
        )
        for provider in providers {
            let value =
                switch provider.breaker {
                case .closed: 0
                case .halfOpen: 1
                case .open: 2
                }
            exposition.sample("lifeline_breaker_state", ["provider": provider.id], value)
        }
        exposition.family("lifeline_queue_depth", type: "gauge", help: "Queued and sending messages by priority.")
        for priority in Priority.allCases {
            exposition.sample("lifeline_queue_depth", ["priority": priority.rawValue], depth[priority] ?? 0)
        }
        exposition.family("lifeline_provider_sends_in_flight", type: "gauge", help: "Sends under way per provider.")
        for provider in providers {
            exposition.sample("lifeline_provider_sends_in_flight", ["provider": provider.id], provider.sendsInFlight)
        }
        return exposition.lines.joined(separator: "\n") + "\n"
    }

    private mutating func family(_ name: String, type: String, help: String) {
        lines.append("# HELP \(name) \(help)")
        lines.append("# TYPE \(name) \(type)")
    }

    private mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Int) {
        let rendered = labels.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",")
        lines.append("\(name){\(rendered)} \(value)")
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

extension APIEndpoints {
    /// `GET /metrics`: Prometheus text format 0.0.4, open to anyone who can reach the port.
    func metrics() async throws -> HTTPResponse {
        let counters = try await store.counters()
        let depth = try await store.queueDepth()
        let providers = await context.providers().map(\.status)
        let text = PrometheusExposition.render(counters: counters, depth: depth, providers: providers)
        return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", text: text)
    }
}
