import Foundation
import Gateway
import Store
import Testing

@Suite struct RouterTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func policy(
        rates: [Double?] = [nil, nil, nil],
        maxConcurrentSends: Int = 4,
        failureThreshold: Int = 1,
        maxWait: Duration = .seconds(10)
    ) -> PoolPolicy {
        PoolPolicy(
            providers: ["cloud", "smpp", "modem"].enumerated().map { index, id in
                PoolPolicy.ProviderPolicy(
                    id: id,
                    ratePerSecond: rates[index],
                    burst: 1,
                    maxConcurrentSends: maxConcurrentSends,
                    breaker: CircuitBreaker.Settings(failureThreshold: failureThreshold, cooldown: .seconds(30))
                )
            },
            priorities: [.emergency: PoolPolicy.PriorityPolicy(maxWait: .zero, deliveryDeadline: .seconds(60))],
            defaultPriorityPolicy: PoolPolicy.PriorityPolicy(maxWait: maxWait, deliveryDeadline: .seconds(600)),
            throttleBackoff: .seconds(5)
        )
    }

    /// The first provider in pool order is chosen when all are usable.
    @Test func choosesPoolOrder() {
        var router = Router(policy: policy(), now: start)
        let decision1 = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision1 == .send(providerID: "cloud"))
    }

    /// A provider with an open breaker is skipped for the next one, with no wait.
    @Test func skipsOpenBreaker() {
        var router = Router(policy: policy(maxWait: .seconds(10)), now: start)
        _ = router.nextProvider(for: .normal, excluding: [], now: start)
        router.record(.unavailable(reason: "connect refused"), provider: "cloud", now: start)
        #expect(router.status(now: start).first?.breaker == .open(until: start.addingTimeInterval(30)))
        let decision2 = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision2 == .send(providerID: "smpp"))
    }

    /// An ambiguous outcome counts as a failure; throttled and recipient errors do not.
    @Test func outcomeClassesForBreaker() {
        let cases: [(SendOutcome, Bool)] = [
            (.ambiguous(reason: "timeout"), true),
            (.unavailable(reason: "503"), true),
            (.throttled(retryAfter: nil, reason: "429"), false),
            (.recipientError(reason: "invalid number"), false),
            (.accepted(providerMessageID: "x"), false),
        ]
        for (outcome, opens) in cases {
            var router = Router(policy: policy(), now: start)
            _ = router.nextProvider(for: .normal, excluding: [], now: start)
            router.record(outcome, provider: "cloud", now: start)
            let isOpen = router.status(now: start)[0].breaker != .closed
            #expect(isOpen == opens, "\(outcome)")
        }
    }

    /// A throttled provider makes the message wait when its pause ends within the max wait.
    @Test func throttledWaitsWithinMaxWait() {
        var router = Router(policy: policy(maxWait: .seconds(10)), now: start)
        _ = router.nextProvider(for: .normal, excluding: [], now: start)
        router.record(.throttled(retryAfter: .seconds(4), reason: "429"), provider: "cloud", now: start)
        let decision = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision == .wait(until: start.addingTimeInterval(4), providerID: "cloud"))
        #expect(router.status(now: start)[0].pausedUntil == start.addingTimeInterval(4))
    }

    /// A pause longer than the max wait moves the message on; emergency (max wait zero) never waits.
    @Test func movesOnBeyondMaxWait() {
        var router = Router(policy: policy(maxWait: .seconds(10)), now: start)
        _ = router.nextProvider(for: .normal, excluding: [], now: start)
        router.record(.throttled(retryAfter: .seconds(60), reason: "429"), provider: "cloud", now: start)
        let decision3 = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision3 == .send(providerID: "smpp"))

        var second = Router(policy: policy(maxWait: .seconds(10)), now: start)
        _ = second.nextProvider(for: .normal, excluding: [], now: start)
        second.record(.throttled(retryAfter: .seconds(4), reason: "429"), provider: "cloud", now: start)
        let decision4 = second.nextProvider(for: .emergency, excluding: [], now: start)
        #expect(decision4 == .send(providerID: "smpp"))
    }

    /// A throttle without a retry-after hint pauses for the policy's back-off.
    @Test func throttleDefaultBackoff() {
        var router = Router(policy: policy(), now: start)
        _ = router.nextProvider(for: .normal, excluding: [], now: start)
        router.record(.throttled(retryAfter: nil, reason: "ESME_RTHROTTLED"), provider: "cloud", now: start)
        #expect(router.status(now: start)[0].pausedUntil == start.addingTimeInterval(5))
    }

    /// The rate budget: the second message waits for the token within the max wait.
    @Test func rateBudgetWait() {
        var router = Router(policy: policy(rates: [2, nil, nil]), now: start)
        let decision5 = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision5 == .send(providerID: "cloud"))
        router.record(.accepted(providerMessageID: "a"), provider: "cloud", now: start)
        let decision = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision == .wait(until: start.addingTimeInterval(0.5), providerID: "cloud"))
        let decision6 = router.nextProvider(for: .emergency, excluding: [], now: start)
        #expect(decision6 == .send(providerID: "smpp"))
    }

    /// Full send slots make the message wait for a send to finish.
    @Test func concurrencyLimitWaits() {
        var router = Router(policy: policy(maxConcurrentSends: 1), now: start)
        let decision7 = router.nextProvider(for: .normal, excluding: ["smpp", "modem"], now: start)
        #expect(decision7 == .send(providerID: "cloud"))
        let decision8 = router.nextProvider(for: .normal, excluding: ["smpp", "modem"], now: start)
        #expect(decision8 == .wait(until: nil, providerID: "cloud"))
        router.record(.accepted(providerMessageID: "a"), provider: "cloud", now: start)
        let decision9 = router.nextProvider(for: .normal, excluding: ["smpp", "modem"], now: start)
        #expect(decision9 == .send(providerID: "cloud"))
    }

    /// Every breaker open: unusable with the earliest cool-down end; every provider tried: exhausted.
    @Test func unusableAndExhausted() {
        var router = Router(policy: policy(), now: start)
        for (offset, id) in ["cloud", "smpp", "modem"].enumerated() {
            let now = start.addingTimeInterval(TimeInterval(offset))
            _ = router.nextProvider(for: .emergency, excluding: [], now: now)
            router.record(.unavailable(reason: "down"), provider: id, now: now)
        }
        let now = start.addingTimeInterval(2)
        #expect(router.allBreakersOpen(now: now))
        #expect(!router.hasUsableProvider(now: now))
        let decision10 = router.nextProvider(for: .emergency, excluding: [], now: now)
        #expect(decision10 == .unusable(earliest: start.addingTimeInterval(30)))
        #expect(router.nextChangeDate(now: now) == start.addingTimeInterval(30))
        let decision11 = router.nextProvider(for: .normal, excluding: ["cloud", "smpp", "modem"], now: now)
        #expect(decision11 == .exhausted)
    }

    /// A busy modem hands the next message to a free modem of its tier; a busy provider without a
    /// tier still makes the message wait rather than move down the pool.
    @Test func busyModemHandsOverWithinTier() {
        let modems = PoolPolicy(
            providers: [
                PoolPolicy.ProviderPolicy(id: "cloud", maxConcurrentSends: 1),
                PoolPolicy.ProviderPolicy(id: "modem-1", maxConcurrentSends: 1, tier: "modem"),
                PoolPolicy.ProviderPolicy(id: "modem-2", maxConcurrentSends: 1, tier: "modem"),
            ],
            defaultPriorityPolicy: PoolPolicy.PriorityPolicy(maxWait: .seconds(10), deliveryDeadline: .seconds(600))
        )
        var router = Router(policy: modems, now: start)
        let first = router.nextProvider(for: .normal, excluding: ["cloud"], now: start)
        let second = router.nextProvider(for: .normal, excluding: ["cloud"], now: start)
        let third = router.nextProvider(for: .normal, excluding: ["cloud"], now: start)
        #expect(first == .send(providerID: "modem-1"))
        #expect(second == .send(providerID: "modem-2"))
        #expect(third == .wait(until: nil, providerID: "modem-1"))

        let cloudFirst = router.nextProvider(for: .normal, excluding: [], now: start)
        let cloudBusy = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(cloudFirst == .send(providerID: "cloud"))
        #expect(cloudBusy == .wait(until: nil, providerID: "cloud"))
    }

    /// After the cool-down the half-open provider takes one trial; meanwhile other messages skip it.
    @Test func halfOpenSingleTrial() {
        var router = Router(policy: policy(), now: start)
        _ = router.nextProvider(for: .normal, excluding: [], now: start)
        router.record(.unavailable(reason: "down"), provider: "cloud", now: start)
        let later = start.addingTimeInterval(30)
        #expect(router.status(now: later)[0].breaker == .halfOpen)
        let decision12 = router.nextProvider(for: .normal, excluding: [], now: later)
        #expect(decision12 == .send(providerID: "cloud"))
        let decision13 = router.nextProvider(for: .normal, excluding: [], now: later)
        #expect(decision13 == .send(providerID: "smpp"))
        let decision14 = router.nextProvider(for: .emergency, excluding: [], now: later)
        #expect(decision14 == .send(providerID: "smpp"))
        router.record(.accepted(providerMessageID: "t"), provider: "cloud", now: later)
        #expect(router.status(now: later)[0].breaker == .closed)
    }

    /// A cancelled reservation gives back the send slot and the half-open trial.
    @Test func cancelReservation() {
        var router = Router(policy: policy(maxConcurrentSends: 1), now: start)
        let decision15 = router.nextProvider(for: .normal, excluding: [], now: start)
        #expect(decision15 == .send(providerID: "cloud"))
        #expect(router.status(now: start)[0].sendsInFlight == 1)
        router.cancelReservation(provider: "cloud")
        #expect(router.status(now: start)[0].sendsInFlight == 0)
    }
}
