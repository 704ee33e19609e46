import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct BroadcastRateEstimatorTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    static func broadcast(queued: Int, sending: Int = 0, sent: Int = 0, failed: Int = 0) -> BroadcastRecord {
        BroadcastRecord(
            id: 7,
            name: "Hall B",
            text: "Evacuate",
            createdAt: start,
            cancelledAt: nil,
            countsByState: [.queued: queued, .sending: sending, .sent: sent, .failed: failed]
        )
    }

    /// The first reading measures from the broadcast's creation: 50 left in 10 s is 5/s, so 100
    /// remaining take 20 s.
    @Test func firstReadingUsesCreation() {
        var estimator = BroadcastRateEstimator(createdAt: Self.start)

        estimator.record(Self.broadcast(queued: 100, sent: 45, failed: 5), at: Self.at(10))
        let estimate = estimator.estimate(for: Self.broadcast(queued: 100, sent: 45, failed: 5))

        #expect(estimate.remaining == 100)
        #expect(estimate.ratePerSecond == 5)
        #expect(estimate.secondsLeft == 20)
        #expect(estimate.summary == "about 20 s left at 5.0/s")
    }

    /// Once the window has passed, the rate covers the last window only: 120 messages in the last
    /// 60 s is 2/s, although the average since creation is higher.
    @Test func rateFollowsWindow() {
        var estimator = BroadcastRateEstimator(createdAt: Self.start, window: 60)
        estimator.record(.init(at: Self.at(30), left: 300))
        estimator.record(.init(at: Self.at(60), left: 360))
        estimator.record(.init(at: Self.at(90), left: 420))

        let estimate = estimator.estimate(remaining: 500)

        #expect(estimator.samples.map(\.at) == [Self.at(30), Self.at(60), Self.at(90)])
        #expect(estimate.ratePerSecond == 2)
        #expect(estimate.secondsLeft == 250)
    }

    /// Sending (not just queued) counts as remaining, and every other state as having left.
    @Test func remainingCountsQueuedAndSending() {
        let record = Self.broadcast(queued: 3, sending: 2, sent: 4, failed: 1)

        #expect(BroadcastRateEstimator.remaining(record) == 5)
        #expect(BroadcastRateEstimator.left(record) == 5)
    }

    /// Edge cases: no progress, messages back in the queue, and nothing left to send.
    @Test(arguments: [
        // (left at 10 s, remaining, expected rate, expected seconds left)
        (0, 10, 0.0, nil),
        (-3, 10, 0.0, nil),
        (8, 0, 0.8, 0.0),
    ] as [(Int, Int, Double?, Double?)])
    func edgeCases(left: Int, remaining: Int, rate: Double?, secondsLeft: Double?) {
        var estimator = BroadcastRateEstimator(createdAt: Self.start)

        estimator.record(.init(at: Self.at(10), left: left))
        let estimate = estimator.estimate(remaining: remaining)

        #expect(estimate.ratePerSecond == rate)
        #expect(estimate.secondsLeft == secondsLeft)
    }

    /// Before a second sample there is no rate, and the summary reports the time left as unknown.
    @Test func noRateBeforeSecondSample() {
        let estimator = BroadcastRateEstimator(createdAt: Self.start)

        let estimate = estimator.estimate(remaining: 10)

        #expect(estimate.ratePerSecond == nil)
        #expect(estimate.secondsLeft == nil)
        #expect(estimate.summary.hasPrefix("time left unknown"))
    }

    /// A sample not newer than the last (a clock stepping back) is ignored.
    @Test func olderSampleIgnored() {
        var estimator = BroadcastRateEstimator(createdAt: Self.start)
        estimator.record(.init(at: Self.at(10), left: 10))

        estimator.record(.init(at: Self.at(5), left: 50))

        #expect(estimator.samples.count == 2)
        #expect(estimator.ratePerSecond == 1)
    }

    /// Durations are written in hours, minutes and seconds, rounded up.
    @Test(arguments: [
        (0.4, "under 1 s"), (44.2, "45 s"), (200, "3 min 20 s"), (3600, "1 h 00 min"), (7500, "2 h 05 min"),
        (10_799, "3 h 00 min"),
    ])
    func durationText(seconds: Double, text: String) {
        #expect(BroadcastRateEstimator.duration(seconds) == text)
    }

    /// The API's tracker keeps one estimator per broadcast. Within its capacity the rate spans the
    /// last window (20 in 70 s). Beyond it the least recently read is evicted, so it starts again
    /// from creation (30 in 170 s).
    @Test(arguments: [(2, 20.0 / 70), (1, 30.0 / 170)])
    func trackerKeepsOrForgets(capacity: Int, rate: Double) {
        let tracker = BroadcastRateTracker(capacity: capacity)
        var first = Self.broadcast(queued: 30, sent: 10)
        var second = first
        second.id = 8

        _ = tracker.estimate(for: first, now: Self.at(100))
        _ = tracker.estimate(for: second, now: Self.at(110))
        first.countsByState = [.queued: 10, .sent: 30]
        let estimate = tracker.estimate(for: first, now: Self.at(170))

        #expect(estimate.ratePerSecond == rate)
    }
}

@Suite struct BroadcastEstimateAPITests {
    /// Reading a broadcast that is sending gives its send rate and time left. A broadcast with
    /// nothing sent yet has no time left.
    @Test func broadcastShowsEstimate() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let created = try await server.send(
            "POST",
            "/v1/broadcasts",
            token: APITestServer.sendToken,
            json: ["to": ["+447700900123", "+447700900124", "+447700900125"], "text": "Evacuate"]
        )
        let id = try #require(created.json["id"] as? Int)

        let waiting = try await server.send("GET", "/v1/broadcasts/\(id)", token: APITestServer.readToken)
        let message = try #require(try await server.store.claimNext(now: Date(), lease: 60))
        try await server.store.transition(
            message.id,
            Transition(to: .sent, providerID: "twilio-main", providerMessageID: "SM1"),
            now: Date()
        )
        let moving = try await server.send("GET", "/v1/broadcasts/\(id)", token: APITestServer.readToken)

        #expect(created.json["estimated_seconds_left"] == nil)
        #expect(waiting.json["estimated_seconds_left"] == nil)
        #expect(((moving.json["send_rate_per_second"] as? Double) ?? 0) > 0)
        #expect(((moving.json["estimated_seconds_left"] as? Int) ?? -1) >= 0)
    }
}
