import Foundation
import Store

/// Picks the provider for each attempt: pool order, circuit breakers, rate budgets, throttle
/// pauses and per-provider send slots.
///
/// A plain value with an injected `now`; the dispatcher owns it and calls it from one actor.
/// `nextProvider` reserves what it hands out (a token, a send slot and, for a half-open breaker,
/// the one trial), so every `.send` decision must be followed by `record(_:provider:now:)` or
/// `cancelReservation(provider:)`.
public struct Router: Sendable {
    /// The routing result for one message at one moment.
    public enum Decision: Sendable, Equatable {
        /// Send through this provider now; its token and send slot are reserved.
        case send(providerID: String)
        /// The first usable provider becomes usable within the priority's max wait: at `until`, or
        /// when a send in flight finishes when `until` is `nil` (full send slots, half-open trial).
        case wait(until: Date?, providerID: String)
        /// No provider left to the message is usable within the max wait. `earliest` is the first
        /// date one of them may be usable, or `nil` when only a send in flight can change that.
        case unusable(earliest: Date?)
        /// Every provider in the pool is excluded for this message.
        case exhausted
    }

    /// When one provider can take a send.
    enum Availability: Equatable {
        case now
        case at(Date)
        /// When a send in flight finishes: full send slots, or a half-open trial in flight.
        case afterSendFinishes
    }

    struct ProviderState: Sendable {
        var policy: PoolPolicy.ProviderPolicy
        var breaker: CircuitBreaker
        var bucket: TokenBucket?
        var pausedUntil: Date?
        var inFlight = 0
    }

    public let policy: PoolPolicy
    private var states: [ProviderState]

    public init(policy: PoolPolicy, now: Date) {
        self.policy = policy
        self.states = policy.providers.map { provider in
            ProviderState(
                policy: provider,
                breaker: CircuitBreaker(settings: provider.breaker),
                bucket: provider.ratePerSecond.map { TokenBucket(rate: $0, burst: provider.burst, now: now) }
            )
        }
    }

    /// Chooses the first provider in pool order that is not in `tried` and is usable within
    /// `maxWait` (the priority's max wait when `nil`). A provider usable now is reserved and
    /// returned as `.send`; one usable later within the wait is returned as `.wait`.
    public mutating func nextProvider(
        for priority: Priority,
        excluding tried: Set<String>,
        maxWait: Duration? = nil,
        now: Date
    ) -> Decision {
        let waitLimit = now.adding(maxWait ?? policy.settings(for: priority).maxWait)
        var earliest: Date?
        var anyCandidate = false
        // When the first usable provider's send slots are all taken, a provider of the same tier
        // that is free now (a second modem) takes the message. Providers of other tiers are not
        // used for it, so a busy cloud API does not spill its broadcast onto the modems.
        var firstBusy: (id: String, tier: String?)?
        for index in states.indices where !tried.contains(states[index].policy.id) {
            anyCandidate = true
            let id = states[index].policy.id
            if let firstBusy, firstBusy.tier == nil || states[index].policy.tier != firstBusy.tier { continue }
            // A provider whose breaker is open, or whose half-open trial is in flight, is skipped
            // rather than waited for, so a dead provider never blocks the queue.
            switch states[index].breaker.availability(now: now) {
            case .now: break
            case .at(let until):
                earliest = min(earliest ?? until, until)
                continue
            case .afterTrial:
                continue
            }
            switch availability(of: states[index], now: now) {
            case .now:
                reserve(index, now: now)
                return .send(providerID: id)
            case .at(let date):
                if date <= waitLimit, firstBusy == nil { return .wait(until: date, providerID: id) }
                earliest = min(earliest ?? date, date)
            case .afterSendFinishes:
                if waitLimit > now, firstBusy == nil { firstBusy = (id, states[index].policy.tier) }
            }
        }
        if let firstBusy { return .wait(until: nil, providerID: firstBusy.id) }
        return anyCandidate ? .unusable(earliest: earliest) : .exhausted
    }

    /// Records an attempt's outcome: frees the send slot, updates the breaker, and pauses the
    /// provider after a throttled outcome for its retry-after hint or `PoolPolicy.throttleBackoff`.
    public mutating func record(_ outcome: SendOutcome, provider id: String, now: Date) {
        guard let index = index(of: id) else { return }
        states[index].inFlight = max(0, states[index].inFlight - 1)
        switch outcome {
        case .accepted:
            states[index].breaker.recordSuccess()
        case .unavailable:
            states[index].breaker.recordFailure(now: now)
            // Nothing reached the provider (not bound, refused, no network), so the send does not
            // count against its rate.
            states[index].bucket?.refund(now: now)
        case .ambiguous:
            states[index].breaker.recordFailure(now: now)
        case .recipientError:
            states[index].breaker.releasePermission()
        case .throttled(let retryAfter, _):
            states[index].breaker.releasePermission()
            let pause = retryAfter ?? policy.throttleBackoff
            let until = now.adding(pause)
            states[index].pausedUntil = max(states[index].pausedUntil ?? until, until)
        }
    }

    /// Gives back what a `.send` decision reserved when the attempt was not made.
    public mutating func cancelReservation(provider id: String) {
        guard let index = index(of: id) else { return }
        states[index].inFlight = max(0, states[index].inFlight - 1)
        states[index].breaker.releasePermission()
    }

    /// Restarts every span the router measures on the wall clock (breaker cool-downs, rate
    /// refills) from `now` and ends throttle pauses, after a step of the wall clock.
    ///
    /// Shifting the dates by the step would be wrong for any date set between the step and its
    /// detection (up to one sample interval later), which would then move twice.
    public mutating func restartSpans(now: Date) {
        for index in states.indices {
            states[index].breaker.restartCooldown(now: now)
            states[index].bucket?.restartRefill(now: now)
            states[index].pausedUntil = nil
        }
    }

    /// Reserves a health probe: `true` while the breaker is closed, or when the probe may be the
    /// half-open trial. Report the probe with `recordProbe(_:provider:now:)`.
    public mutating func beginProbe(provider id: String, now: Date) -> Bool {
        guard let index = index(of: id) else { return false }
        return states[index].breaker.acquireProbePermission(now: now)
    }

    /// Records a health probe's result in the provider's breaker.
    public mutating func recordProbe(_ result: ProbeResult, provider id: String, now: Date) {
        guard let index = index(of: id) else { return }
        states[index].breaker.recordProbe(healthy: result == .healthy, now: now)
    }

    /// Returns whether some provider can take a send now.
    public func hasUsableProvider(now: Date) -> Bool {
        states.contains { availability(of: $0, now: now) == .now }
    }

    /// Returns whether every provider's breaker is open with its cool-down still running.
    public func allBreakersOpen(now: Date) -> Bool {
        !states.isEmpty
            && states.allSatisfy {
                if case .open = $0.breaker.status(now: now) { return true }
                return false
            }
    }

    /// Returns the earliest future date at which some provider becomes usable by the clock alone:
    /// a cool-down end, a pause end or a token refill. It is `nil` when no provider waits for a date.
    public func nextChangeDate(now: Date) -> Date? {
        states.compactMap { state -> Date? in
            if case .at(let date) = availability(of: state, now: now), date > now { return date }
            return nil
        }.min()
    }

    /// Returns the earliest date a provider outside `excluded` may be usable. That is `now` when one
    /// is usable now or waits only for a send in flight, and `nil` when every provider is excluded.
    public func earliestUsableDate(excluding excluded: Set<String>, now: Date) -> Date? {
        states.filter { !excluded.contains($0.policy.id) }.map { state -> Date in
            if case .at(let date) = availability(of: state, now: now) { return date }
            return now
        }.min()
    }

    /// Returns every provider in pool order with its breaker, pause and send slots.
    public func status(now: Date) -> [ProviderStatus] {
        states.map { state in
            ProviderStatus(
                id: state.policy.id,
                breaker: state.breaker.status(now: now),
                consecutiveFailures: state.breaker.consecutiveFailures,
                pausedUntil: state.pausedUntil.flatMap { $0 > now ? $0 : nil },
                sendsInFlight: state.inFlight,
                maxConcurrentSends: state.policy.maxConcurrentSends,
                availableTokens: state.bucket?.availableTokens(now: now)
            )
        }
    }

    private func index(of id: String) -> Int? {
        states.firstIndex { $0.policy.id == id }
    }

    private func availability(of state: ProviderState, now: Date) -> Availability {
        var date = now
        switch state.breaker.availability(now: now) {
        case .now: break
        case .at(let until): date = max(date, until)
        case .afterTrial: return .afterSendFinishes
        }
        if state.inFlight >= state.policy.maxConcurrentSends { return .afterSendFinishes }
        if let pausedUntil = state.pausedUntil { date = max(date, pausedUntil) }
        if let bucket = state.bucket {
            date = max(date, now.adding(bucket.timeUntilAvailable(now: now)))
        }
        return date > now ? .at(date) : .now
    }

    private mutating func reserve(_ index: Int, now: Date) {
        let permitted = states[index].breaker.acquirePermission(now: now)
        let took = states[index].bucket?.tryTake(now: now) ?? true
        assert(permitted, "reserve is called only for a provider whose breaker lets an attempt through")
        assert(took, "reserve is called only for a provider with a token available")
        states[index].inFlight += 1
    }
}

/// One provider's routing state, for the status page, the CLI and metrics.
public struct ProviderStatus: Sendable, Equatable {
    public var id: String
    public var breaker: CircuitBreaker.Status
    /// Consecutive unavailable or ambiguous outcomes while the breaker is closed.
    public var consecutiveFailures: Int
    /// The end of a throttle pause still running, if any.
    public var pausedUntil: Date?
    public var sendsInFlight: Int
    public var maxConcurrentSends: Int
    /// Tokens in the rate bucket, or `nil` for a provider without a rate limit.
    public var availableTokens: Double?

    public init(
        id: String,
        breaker: CircuitBreaker.Status,
        consecutiveFailures: Int,
        pausedUntil: Date?,
        sendsInFlight: Int,
        maxConcurrentSends: Int,
        availableTokens: Double?
    ) {
        self.id = id
        self.breaker = breaker
        self.consecutiveFailures = consecutiveFailures
        self.pausedUntil = pausedUntil
        self.sendsInFlight = sendsInFlight
        self.maxConcurrentSends = maxConcurrentSends
        self.availableTokens = availableTokens
    }
}
