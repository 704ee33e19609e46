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
/// - `lifeline_send_latency_seconds{provider}` histogram: acknowledgement to provider acceptance,
///   counted in the daemon's memory since it started (`SendLatencyHistogram`). A provider that has
///   accepted nothing yet has no series.
/// - `lifeline_modem_signal_dbm{provider}` gauge: `AT+CSQ` at the latest probe; no sample while
///   the modem does not know its signal.
/// - `lifeline_modem_registered{provider}` gauge: 1 registered (home or roaming), else 0.
/// - `lifeline_modem_registration{provider,state}` gauge: 1 for the state the latest probe read,
///   0 for the others; no samples while the modem does not answer.
/// - `lifeline_smpp_receiver_bound{provider}` gauge: 1 while the separate receiver session of a
///   `bind: transmitter_receiver` SMPP link is bound, else 0 (receipts and inbound SMS are not
///   arriving); only such links have a series.
struct PrometheusExposition {
    /// The data one scrape reads.
    struct Inputs {
        var counters: StoreCounters
        var depth: [Priority: Int]
        var providers: [ProviderStatus]
        var sendLatency: [String: SendLatencyHistogram.Snapshot] = [:]
        var modemRadios: [String: ModemRadio] = [:]
        var smppReceivers: [String: Bool] = [:]
    }

    private var lines: [String] = []

    /// Renders the full exposition for one scrape.
    static func render(_ inputs: Inputs) -> String {
        let counters = inputs.counters
        let depth = inputs.depth
        let providers = inputs.providers
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
        exposition.latency(inputs.sendLatency)
        exposition.radios(inputs.modemRadios)
        exposition.family(
            "lifeline_smpp_receiver_bound",
            type: "gauge",
            help: "1 while the separate receiver session of an SMPP link is bound, else 0."
        )
        for provider in inputs.smppReceivers.keys.sorted() {
            let bound = inputs.smppReceivers[provider] ?? false
            exposition.sample("lifeline_smpp_receiver_bound", ["provider": provider], bound ? 1 : 0)
        }
        return exposition.lines.joined(separator: "\n") + "\n"
    }

    private mutating func latency(_ histograms: [String: SendLatencyHistogram.Snapshot]) {
        let name = "lifeline_send_latency_seconds"
        family(name, type: "histogram", help: "Seconds from a message's acknowledgement to its acceptance by a provider.")
        for provider in histograms.keys.sorted() {
            guard let histogram = histograms[provider] else { continue }
            let cumulative = histogram.cumulativeCounts
            for (index, bound) in histogram.bounds.enumerated() {
                sample(name + "_bucket", ["provider": provider, "le": Self.number(bound)], cumulative[index])
            }
            sample(name + "_bucket", ["provider": provider, "le": "+Inf"], histogram.count)
            sample(name + "_sum", ["provider": provider], Self.number(histogram.sum))
            sample(name + "_count", ["provider": provider], histogram.count)
        }
    }

    private mutating func radios(_ radios: [String: ModemRadio]) {
        let modems = radios.keys.sorted()
        family("lifeline_modem_signal_dbm", type: "gauge", help: "Modem signal strength in dBm at the latest probe.")
        for provider in modems {
            guard let signal = radios[provider]?.signalDBm else { continue }
            sample("lifeline_modem_signal_dbm", ["provider": provider], signal)
        }
        family("lifeline_modem_registered", type: "gauge", help: "1 when the modem is registered (home or roaming), else 0.")
        for provider in modems {
            let registered = radios[provider]?.registration?.isRegistered ?? false
            sample("lifeline_modem_registered", ["provider": provider], registered ? 1 : 0)
        }
        family(
            "lifeline_modem_registration",
            type: "gauge",
            help: "1 for the modem's network registration state at the latest probe, 0 for the others."
        )
        for provider in modems {
            guard let current = radios[provider]?.registration else { continue }
            for state in ModemRadio.Registration.allCases {
                sample(
                    "lifeline_modem_registration",
                    ["provider": provider, "state": state.rawValue],
                    state == current ? 1 : 0
                )
            }
        }
    }

    private mutating func family(_ name: String, type: String, help: String) {
        lines.append("# HELP \(name) \(help)")
        lines.append("# TYPE \(name) \(type)")
    }

    private mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Int) {
        sample(name, labels, String(value))
    }

    private mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: String) {
        let rendered = labels.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",")
        lines.append("\(name){\(rendered)} \(value)")
    }

    /// Formats a float as the text format writes it: `1` rather than `1.0`, `0.25`, `1e-05`.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
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
        let text = PrometheusExposition.render(
            PrometheusExposition.Inputs(
                counters: counters,
                depth: depth,
                providers: providers,
                sendLatency: context.sendLatency(),
                modemRadios: await context.modemRadios(),
                smppReceivers: await context.smppReceivers()
            )
        )
        return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", text: text)
    }
}
