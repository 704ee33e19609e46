import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct StatusAPITests {
    /// The providers route lists the pool with type, health, breaker and send slots.
    @Test func providersListPool() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send("GET", "/v1/providers", token: APITestServer.readToken)

        #expect(response.status == 200)
        let providers = try #require(response.json["providers"] as? [[String: Any]])
        #expect(providers.map { $0["id"] as? String } == ["twilio-main", "modem-1"])
        #expect(providers[0]["type"] as? String == "twilio")
        #expect(providers[0]["breaker"] as? String == "closed")
        #expect(providers[0]["sends_in_flight"] as? Int == 1)
        #expect(providers[1]["breaker"] as? String == "open")
        #expect(providers[1]["health"] as? String == "unhealthy: not registered")
        #expect(providers[1]["breaker_open_until"] as? String != nil)
    }

    /// The queue route counts queued messages per priority, with every priority present.
    @Test func queueDepthByPriority() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        _ = try await server.send(
            "POST",
            "/v1/messages",
            token: APITestServer.sendToken,
            json: ["to": "+447700900123", "text": "a", "priority": "emergency"]
        )
        _ = try await server.send(
            "POST",
            "/v1/messages",
            token: APITestServer.sendToken,
            json: ["to": "+447700900123", "text": "b"]
        )

        let response = try await server.send("GET", "/v1/queue", token: APITestServer.readToken)

        #expect(response.status == 200)
        #expect(response.json["depth"] as? [String: Int] == ["emergency": 1, "high": 0, "normal": 1, "bulk": 0])
        #expect(response.json["total"] as? Int == 2)
    }

    /// Health follows the dispatcher closure: 200 ok while healthy, 503 when not.
    @Test func healthFollowsDispatcher() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let healthy = try await server.send("GET", "/healthz")
        await server.recorder.setHealthy(false)
        let stalled = try await server.send("GET", "/healthz")

        #expect(healthy.status == 200)
        #expect(healthy.json["status"] as? String == "ok")
        #expect(stalled.status == 503)
    }

    /// Every line of /metrics is a comment or a valid sample, and each required family is present.
    @Test func metricsParseAsPrometheusText() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        _ = try await server.send(
            "POST",
            "/v1/messages",
            token: APITestServer.sendToken,
            json: ["to": "+447700900123", "text": "a"]
        )

        let response = try await server.send("GET", "/metrics")

        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let samples = try PrometheusTextParser.parse(response.text)
        let names = Set(samples.map(\.name))
        for family in [
            "lifeline_messages", "lifeline_breaker_state", "lifeline_queue_depth", "lifeline_provider_sends_in_flight",
        ] {
            #expect(names.contains(family), "missing \(family)")
        }
        #expect(
            samples.contains {
                $0.name == "lifeline_messages" && $0.labels == ["state": "queued", "provider": ""] && $0.value == 1
            }
        )
        #expect(
            samples.contains {
                $0.name == "lifeline_breaker_state" && $0.labels == ["provider": "modem-1"] && $0.value == 2
            }
        )
        #expect(
            samples.contains {
                $0.name == "lifeline_queue_depth" && $0.labels == ["priority": "normal"] && $0.value == 1
            }
        )
    }

    /// The parser used above rejects lines that are not Prometheus text, so the test can fail.
    @Test(arguments: [
        "lifeline_x{a=\"b\"}", "lifeline x 1", "lifeline_x{a=b} 1", "# TYPE lifeline_x widget", "lifeline_undeclared 1",
    ])
    func parserRejectsInvalidLines(line: String) {
        #expect(throws: PrometheusTextParser.Failure.self) { try PrometheusTextParser.parse(line + "\n") }
    }

    /// The parser rejects a histogram that is not whole: no +Inf bucket, a decreasing bucket, a
    /// `_count` unlike the +Inf bucket, a missing `_sum`.
    @Test(arguments: [
        ["h_bucket{le=\"1\"} 1", "h_sum 1", "h_count 1"],
        ["h_bucket{le=\"1\"} 2", "h_bucket{le=\"+Inf\"} 1", "h_sum 1", "h_count 1"],
        ["h_bucket{le=\"1\"} 1", "h_bucket{le=\"+Inf\"} 2", "h_sum 1", "h_count 3"],
        ["h_bucket{le=\"1\"} 1", "h_bucket{le=\"+Inf\"} 2", "h_count 2"],
    ])
    func parserRejectsBrokenHistogram(lines: [String]) {
        let text = (["# TYPE h histogram"] + lines).joined(separator: "\n") + "\n"
        #expect(throws: PrometheusTextParser.Failure.self) { try PrometheusTextParser.parse(text) }
    }

    /// A whole histogram passes the parser, so the rejections above are about the breakage alone.
    @Test func parserAcceptsWholeHistogram() throws {
        let text = ["# TYPE h histogram", "h_bucket{le=\"1\"} 1", "h_bucket{le=\"+Inf\"} 2", "h_sum 3.5", "h_count 2"]
            .joined(separator: "\n") + "\n"

        #expect(try PrometheusTextParser.parse(text).count == 4)
    }
}

/// A strict reader of the Prometheus text format 0.0.4, enough to check the exposition.
enum PrometheusTextParser {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var line: String
        var description: String { "not Prometheus text: \(line)" }
    }

    /// Parses every line, then checks that each sample belongs to a family declared by an earlier
    /// `# TYPE` line and that each histogram is whole (see `checkHistograms`).
    static func parse(_ text: String) throws -> [Sample] {
        guard text.hasSuffix("\n") else { throw Failure(line: "(no final line feed)") }
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = String(line)
            if line.hasPrefix("#") {
                if let (name, type) = try comment(line) {
                    guard types[name] == nil else { throw Failure(line: line + " (family declared twice)") }
                    types[name] = type
                }
            } else {
                let sample = try sample(line)
                guard family(of: sample.name, types: types) != nil else {
                    throw Failure(line: line + " (no # TYPE line before it)")
                }
                samples.append(sample)
            }
        }
        try checkHistograms(samples, types: types)
        return samples
    }

    /// Returns the declared family a sample name belongs to: itself, or a histogram's or summary's
    /// name before `_bucket`, `_sum` or `_count`.
    private static func family(of name: String, types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || (types[base] == "summary" && suffix != "_bucket") { return base }
        }
        return nil
    }

    /// Checks each histogram series: buckets with distinct `le` bounds including `+Inf`, counts
    /// that never decrease as the bound grows, a `_count` equal to the `+Inf` bucket, and a `_sum`.
    static func checkHistograms(_ samples: [Sample], types: [String: String]) throws {
        for (family, type) in types where type == "histogram" {
            var buckets: [[String: String]: [(bound: Double, count: Double)]] = [:]
            var counts: [[String: String]: Double] = [:]
            var sums: Set<[String: String]> = []
            for sample in samples {
                switch sample.name {
                case family + "_bucket":
                    var series = sample.labels
                    guard let text = series.removeValue(forKey: "le"),
                        let bound = text == "+Inf" ? Double.infinity : Double(text)
                    else { throw Failure(line: "\(sample) (a bucket without a numeric le)") }
                    buckets[series, default: []].append((bound, sample.value))
                case family + "_count":
                    counts[sample.labels] = sample.value
                case family + "_sum":
                    sums.insert(sample.labels)
                default:
                    continue
                }
            }
            for (series, seriesBuckets) in buckets {
                let sorted = seriesBuckets.sorted { $0.bound < $1.bound }
                guard Set(sorted.map(\.bound)).count == sorted.count, sorted.last?.bound == .infinity else {
                    throw Failure(line: "\(family)\(series): repeated le bounds or no +Inf bucket")
                }
                guard zip(sorted, sorted.dropFirst()).allSatisfy({ $0.count <= $1.count }) else {
                    throw Failure(line: "\(family)\(series): bucket counts decrease")
                }
                guard counts[series] == sorted.last?.count, sums.contains(series) else {
                    throw Failure(line: "\(family)\(series): _count differs from the +Inf bucket or _sum is missing")
                }
            }
            guard Set(counts.keys) == Set(buckets.keys), sums == Set(buckets.keys) else {
                throw Failure(line: "\(family): a _count or _sum without buckets")
            }
        }
    }

    /// Checks a comment line; returns the family name and type of a `# TYPE` line.
    private static func comment(_ line: String) throws -> (String, String)? {
        let parts = line.split(separator: " ", maxSplits: 3)
        guard parts.count >= 3, parts[0] == "#", isMetricName(parts[2]) else {
            if parts.count >= 2, parts[1] != "HELP", parts[1] != "TYPE" { return nil }
            throw Failure(line: line)
        }
        guard parts[1] == "TYPE" else { return nil }
        guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
            throw Failure(line: line)
        }
        return (String(parts[2]), String(parts[3]))
    }

    private static func sample(_ line: String) throws -> Sample {
        var rest = Substring(line)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard isMetricName(name) else { throw Failure(line: line) }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                guard !labelName.isEmpty, rest.dropFirst(labelName.count).hasPrefix("=\"") else {
                    throw Failure(line: line)
                }
                rest = rest.dropFirst(labelName.count + 2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first else { throw Failure(line: line) }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Failure(line: line)
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw Failure(line: line) }
                rest = rest.dropFirst()
                labels[String(labelName)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw Failure(line: line) }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Failure(line: line) }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count), let value = Double(fields[0]) else { throw Failure(line: line) }
        if fields.count == 2, Int64(fields[1]) == nil { throw Failure(line: line) }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func isMetricName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == ":" }
    }
}

@Suite struct PrometheusExpositionTests {
    /// Label values escape backslash, double quote and line feed as the text format requires.
    @Test(arguments: [
        ("plain", "plain"), ("a\"b", "a\\\"b"), ("back\\slash", "back\\\\slash"), ("two\nlines", "two\\nlines"),
    ])
    func labelEscaping(raw: String, escaped: String) {
        #expect(PrometheusExposition.escape(raw) == escaped)
    }
}
