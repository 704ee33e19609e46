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
    @Test(arguments: ["lifeline_x{a=\"b\"}", "lifeline x 1", "lifeline_x{a=b} 1", "# TYPE lifeline_x widget"])
    func parserRejectsInvalidLines(line: String) {
        #expect(throws: PrometheusTextParser.Failure.self) { try PrometheusTextParser.parse(line + "\n") }
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

    static func parse(_ text: String) throws -> [Sample] {
        guard text.hasSuffix("\n") else { throw Failure(line: "(no final line feed)") }
        var samples: [Sample] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = String(line)
            if line.hasPrefix("#") {
                try comment(line)
            } else {
                samples.append(try sample(line))
            }
        }
        return samples
    }

    private static func comment(_ line: String) throws {
        let parts = line.split(separator: " ", maxSplits: 3)
        guard parts.count >= 3, parts[0] == "#", isMetricName(parts[2]) else {
            if parts.count >= 2, parts[1] != "HELP", parts[1] != "TYPE" { return }
            throw Failure(line: line)
        }
        if parts[1] == "TYPE" {
            guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                throw Failure(line: line)
            }
        }
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
