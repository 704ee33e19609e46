import Diagnostics
import Foundation
import Gateway
import Store
import Testing

@testable import HTTPAPI

@Suite struct MetricsTests {
    /// An observation lands in the first bucket whose bound is at least the value. A negative value
    /// counts as zero, and a value above every bound lands in +Inf only.
    @Test(arguments: [
        (0.05, 0), (0.1, 0), (0.11, 1), (3.0, 2), (-4.0, 0), (99.0, 3),
    ])
    func latencyBucketChoice(seconds: Double, bucket: Int) {
        var histogram = SendLatencyHistogram.Snapshot(bounds: [0.1, 1, 5])

        histogram.observe(seconds)

        #expect(histogram.bucketCounts.firstIndex(of: 1) == bucket)
        #expect(histogram.count == 1)
        #expect(histogram.sum == max(seconds, 0))
    }

    /// The cumulative counts add each bucket to those below it, ending at the total.
    @Test func latencyCumulativeCounts() {
        let histogram = SendLatencyHistogram(bounds: [1, 10])
        for seconds in [0.5, 0.75, 3, 30] { histogram.observe(seconds, provider: "smpp-a") }
        histogram.observe(2, provider: "modem-1")

        let snapshot = histogram.snapshot()

        #expect(snapshot["smpp-a"]?.cumulativeCounts == [2, 3, 4])
        #expect(snapshot["smpp-a"]?.sum == 34.25)
        #expect(snapshot["modem-1"]?.cumulativeCounts == [0, 1, 1])
    }

    /// /metrics renders each provider's latency as a histogram with _bucket, _sum and _count, and
    /// each probed modem's signal and registration, all passing the strict parser.
    @Test func metricsIncludeLatencyAndRadio() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        server.sendLatency.observe(0.375, provider: "twilio-main")
        server.sendLatency.observe(42, provider: "twilio-main")
        await server.recorder.setRadios([
            "modem-1": ModemRadio(signalDBm: -71, registration: .roaming),
            "modem-2": ModemRadio(signalDBm: nil, registration: .searching),
        ])

        let response = try await server.send("GET", "/metrics")
        let samples = try PrometheusTextParser.parse(response.text)

        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        let latency = "lifeline_send_latency_seconds"
        #expect(response.text.contains("# TYPE \(latency) histogram"))
        #expect(value(latency + "_bucket", ["provider": "twilio-main", "le": "0.25"]) == 0)
        #expect(value(latency + "_bucket", ["provider": "twilio-main", "le": "0.5"]) == 1)
        #expect(value(latency + "_bucket", ["provider": "twilio-main", "le": "60"]) == 2)
        #expect(value(latency + "_bucket", ["provider": "twilio-main", "le": "+Inf"]) == 2)
        #expect(value(latency + "_sum", ["provider": "twilio-main"]) == 42.375)
        #expect(value(latency + "_count", ["provider": "twilio-main"]) == 2)

        #expect(value("lifeline_modem_signal_dbm", ["provider": "modem-1"]) == -71)
        #expect(value("lifeline_modem_signal_dbm", ["provider": "modem-2"]) == nil)
        #expect(value("lifeline_modem_registered", ["provider": "modem-1"]) == 1)
        #expect(value("lifeline_modem_registered", ["provider": "modem-2"]) == 0)
        #expect(value("lifeline_modem_registration", ["provider": "modem-1", "state": "roaming"]) == 1)
        #expect(value("lifeline_modem_registration", ["provider": "modem-1", "state": "home"]) == 0)
        #expect(value("lifeline_modem_registration", ["provider": "modem-2", "state": "searching"]) == 1)
    }

    /// The dispatcher records one latency observation when a provider accepts a message, measured
    /// from the message's acknowledgement.
    @Test(.timeLimit(.minutes(1)))
    func dispatcherRecordsAcceptance() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-latency-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore(
            path: directory.appendingPathComponent("queue.sqlite").path,
            notifiesWakeListener: false
        )
        let policy = PoolPolicy(providers: [PoolPolicy.ProviderPolicy(id: "accepting", maxConcurrentSends: 1)])
        let dispatcher = try Dispatcher(store: store, providers: [AcceptingProvider()], policy: policy, logger: .disabled)
        let acknowledged = Date().addingTimeInterval(-2)
        let intake = Intake(config: APITestServer.config())
        _ = try await store.enqueue(
            [try intake.check(recipient: "+447700900123", text: "Drill", priority: .high).submission],
            now: acknowledged
        )

        let run = Task { try await dispatcher.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while dispatcher.sendLatency.snapshot().isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        await dispatcher.stop()
        try await run.value
        await store.close()

        let observed = try #require(dispatcher.sendLatency.snapshot()["accepting"])
        #expect(observed.count == 1)
        #expect(observed.sum >= 2)
    }
}

/// A provider that accepts every message at once.
private struct AcceptingProvider: Provider {
    let id = "accepting"
    let sendsDeliveryReports = false

    func start(reports: @escaping DeliveryReportHandler) async {}
    func send(_ message: OutboundSMS) async -> SendOutcome { .accepted(providerMessageID: "A\(message.messageID)") }
    func probe() async -> ProbeResult { .healthy }
    func stop() async {}
}
