import Foundation
import Gateway
import Testing

/// Steps of the wall clock, distinguished from time passing by samples of both clocks.
@Suite struct ClockStepDetectorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Seconds on the wall clock and on the monotonic clock at the second sample, after a
        /// first sample at 1,000,000 s wall and 50 s uptime.
        var wall: Double
        var uptime: Double
        /// The expected step in seconds, or nil for none.
        var step: Double?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "time passing on both clocks", wall: 1_000_005, uptime: 55, step: nil),
        Case(name: "NTP slewing and scheduling noise", wall: 1_000_006.5, uptime: 55, step: nil),
        Case(name: "a step forward by an hour", wall: 1_003_605, uptime: 55, step: 3600),
        Case(name: "a step back by an hour", wall: 996_405, uptime: 55, step: -3600),
        Case(name: "a step back hiding inside elapsed time", wall: 1_000_001, uptime: 60, step: -9),
        Case(name: "a step of exactly the threshold", wall: 1_000_007, uptime: 55, step: 2),
    ]

    /// Each pair of samples reports the step the wall clock took beyond the monotonic clock, or none.
    @Test(arguments: cases) func reportsSteps(_ example: Case) {
        var detector = ClockStepDetector(threshold: .seconds(2))
        #expect(detector.sample(wall: Date(timeIntervalSince1970: 1_000_000), uptime: .seconds(50)) == nil)
        let step = detector.sample(wall: Date(timeIntervalSince1970: example.wall), uptime: .seconds(example.uptime))
        #expect(step.map { $0.offset / .seconds(1) } == example.step)
    }

    /// A step is reported once: the next sample measures from the stepped clock.
    @Test func reportsAStepOnce() {
        var detector = ClockStepDetector()
        _ = detector.sample(wall: Date(timeIntervalSince1970: 0), uptime: .seconds(0))
        #expect(detector.sample(wall: Date(timeIntervalSince1970: 3605), uptime: .seconds(5)) != nil)
        #expect(detector.sample(wall: Date(timeIntervalSince1970: 3610), uptime: .seconds(10)) == nil)
    }
}

/// Wall-clock spans restarted after a step of the wall clock, so a step back does not hold a provider.
@Suite struct ClockStepRestartTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// An open breaker restarted after a step back an hour opens for trials 30 s later.
    @Test func breakerCooldownRestarts() {
        var breaker = CircuitBreaker(settings: .init(failureThreshold: 1, cooldown: .seconds(30)))
        breaker.recordFailure(now: start)
        let stepped = start.addingTimeInterval(-3600)
        breaker.restartCooldown(now: stepped)
        #expect(breaker.status(now: stepped) == .open(until: stepped.addingTimeInterval(30)))
        let permitted = breaker.acquirePermission(now: stepped.addingTimeInterval(30))
        #expect(permitted)
    }

    /// An open breaker not restarted stays open for the hour the clock went back.
    @Test func unrestartedBreakerWaitsForClock() {
        var breaker = CircuitBreaker(settings: .init(failureThreshold: 1, cooldown: .seconds(30)))
        breaker.recordFailure(now: start)
        let permitted = breaker.acquirePermission(now: start.addingTimeInterval(-3600 + 30))
        #expect(!permitted)
    }

    /// A rate bucket restarted after a step forward gains no tokens from the step.
    @Test func bucketGainsNothingFromForwardStep() {
        var bucket = TokenBucket(rate: 1, burst: 5, now: start)
        for _ in 0..<5 { _ = bucket.tryTake(now: start) }
        let stepped = start.addingTimeInterval(3600)
        bucket.restartRefill(now: stepped)
        #expect(bucket.availableTokens(now: stepped) == 0)
        #expect(bucket.timeUntilAvailable(now: stepped) == .seconds(1))
    }
}
