import Foundation
import Gateway
import Testing

@Suite struct CircuitBreakerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let settings = CircuitBreaker.Settings(
        failureThreshold: 3,
        cooldown: .seconds(30),
        maxCooldown: .seconds(100),
        cooldownMultiplier: 2
    )

    /// Two failures keep it closed; the third consecutive one opens it for the cool-down.
    @Test func opensAfterThreshold() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        #expect(breaker.status(now: start) == .closed)
        #expect(breaker.consecutiveFailures == 2)
        breaker.recordFailure(now: start)
        #expect(breaker.status(now: start) == .open(until: start.addingTimeInterval(30)))
        let permitted1 = breaker.acquirePermission(now: start.addingTimeInterval(29))
        #expect(!permitted1)
    }

    /// A success between failures resets the run, so the breaker stays closed.
    @Test func successResetsCount() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        breaker.recordSuccess()
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        #expect(breaker.status(now: start) == .closed)
    }

    /// After the cool-down exactly one trial goes through; a second waits for its outcome.
    @Test func halfOpenAllowsOneTrial() {
        var breaker = CircuitBreaker(settings: settings)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        let later = start.addingTimeInterval(30)
        #expect(breaker.status(now: later) == .halfOpen)
        let permitted2 = breaker.acquirePermission(now: later)
        #expect(permitted2)
        let permitted3 = breaker.acquirePermission(now: later)
        #expect(!permitted3)
        #expect(breaker.availability(now: later) == .afterTrial)
    }

    /// A successful trial closes the breaker.
    @Test func trialSuccessCloses() {
        var breaker = CircuitBreaker(settings: settings)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        let later = start.addingTimeInterval(31)
        let permitted4 = breaker.acquirePermission(now: later)
        #expect(permitted4)
        breaker.recordSuccess()
        #expect(breaker.status(now: later) == .closed)
        let permitted5 = breaker.acquirePermission(now: later)
        #expect(permitted5)
    }

    /// Failed trials reopen it with a cool-down that doubles up to the cap.
    @Test func trialFailureGrowsCooldown() {
        var breaker = CircuitBreaker(settings: settings)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        var now = start.addingTimeInterval(30)
        let expectedCooldowns: [TimeInterval] = [60, 100, 100]
        for cooldown in expectedCooldowns {
            let permitted6 = breaker.acquirePermission(now: now)
            #expect(permitted6)
            breaker.recordFailure(now: now)
            #expect(breaker.status(now: now) == .open(until: now.addingTimeInterval(cooldown)))
            now = now.addingTimeInterval(cooldown)
        }
    }

    /// A released trial (throttled, recipient error) lets the next attempt be the trial.
    @Test func releasedTrialFreesSlot() {
        var breaker = CircuitBreaker(settings: settings)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        let later = start.addingTimeInterval(30)
        let permitted7 = breaker.acquirePermission(now: later)
        #expect(permitted7)
        breaker.releasePermission()
        let permitted8 = breaker.acquirePermission(now: later)
        #expect(permitted8)
    }

    /// A failed probe opens a closed breaker at once; a healthy one closes it after the cool-down only.
    @Test func probesOpenAndClose() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.recordProbe(healthy: false, now: start)
        #expect(breaker.status(now: start) == .open(until: start.addingTimeInterval(30)))
        breaker.recordProbe(healthy: true, now: start.addingTimeInterval(10))
        #expect(breaker.status(now: start.addingTimeInterval(10)) == .open(until: start.addingTimeInterval(30)))
        breaker.recordProbe(healthy: true, now: start.addingTimeInterval(30))
        #expect(breaker.status(now: start.addingTimeInterval(30)) == .closed)
    }

    /// A late success from a send that began before the breaker opened does not close it.
    @Test func successWhileOpenIgnored() {
        var breaker = CircuitBreaker(settings: settings)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        breaker.recordSuccess()
        #expect(breaker.status(now: start) == .open(until: start.addingTimeInterval(30)))
    }

    /// A probe takes the half-open trial, so no message goes through until it reports.
    @Test func probeTakesTrial() {
        var breaker = CircuitBreaker(settings: settings)
        let probeWhileClosed = breaker.acquireProbePermission(now: start)
        #expect(probeWhileClosed)
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        let probeDuringCooldown = breaker.acquireProbePermission(now: start.addingTimeInterval(10))
        #expect(!probeDuringCooldown)

        let later = start.addingTimeInterval(30)
        let probe = breaker.acquireProbePermission(now: later)
        #expect(probe)
        let message = breaker.acquirePermission(now: later)
        #expect(!message)
        breaker.recordProbe(healthy: true, now: later)
        #expect(breaker.status(now: later) == .closed)
    }
}
