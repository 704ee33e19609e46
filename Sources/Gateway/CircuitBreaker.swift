import Foundation

/// The circuit breaker of one provider: a plain state machine with an injected `now`.
///
/// `closed` lets every attempt through and counts consecutive failures. After
/// `Settings.failureThreshold` of them, or one failed probe, it turns `open` for a cool-down.
/// When the cool-down has passed it is `halfOpen` and lets exactly one trial through (a message
/// or a probe): a success closes it, a failure opens it again with a longer cool-down
/// (multiplied by `Settings.cooldownMultiplier`, capped at `Settings.maxCooldown`).
///
/// Only `unavailable` and `ambiguous` outcomes are failures. Throttling and recipient errors
/// prove nothing about the link, so they neither count nor reset the count. A success reported
/// while the breaker is open (a send that started before it opened) is ignored.
public struct CircuitBreaker: Sendable, Equatable {
    /// Thresholds and cool-downs, from the config.
    public struct Settings: Sendable, Equatable {
        /// Consecutive failures that open a closed breaker; at least 1.
        public var failureThreshold: Int
        /// The first cool-down after the breaker opens.
        public var cooldown: Duration
        /// The maximum cool-down after repeated failed trials.
        public var maxCooldown: Duration
        /// The factor applied to the cool-down after each failed trial; 1 keeps it constant.
        public var cooldownMultiplier: Double

        public init(
            failureThreshold: Int = 3,
            cooldown: Duration = .seconds(30),
            maxCooldown: Duration = .seconds(300),
            cooldownMultiplier: Double = 2
        ) {
            self.failureThreshold = max(1, failureThreshold)
            self.cooldown = cooldown
            self.maxCooldown = max(cooldown, maxCooldown)
            self.cooldownMultiplier = max(1, cooldownMultiplier)
        }
    }

    /// The breaker as a status page shows it.
    public enum Status: Sendable, Equatable {
        case closed
        /// No attempt goes through before `until`.
        case open(until: Date)
        /// One trial may go through, or is going through.
        case halfOpen
    }

    /// When the breaker lets the next attempt through.
    public enum Availability: Sendable, Equatable {
        case now
        /// At this date, when the cool-down ends.
        case at(Date)
        /// When the trial in flight reports its outcome.
        case afterTrial
    }

    private enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: Date, cooldown: Duration)
        case halfOpen(trialInFlight: Bool, cooldown: Duration)
    }

    public let settings: Settings
    private var state: State = .closed(consecutiveFailures: 0)

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Returns the state for status pages. An open breaker whose cool-down has passed shows as `halfOpen`.
    public func status(now: Date) -> Status {
        switch state {
        case .closed: .closed
        case .open(let until, _): until > now ? .open(until: until) : .halfOpen
        case .halfOpen: .halfOpen
        }
    }

    /// Consecutive failures counted while closed; 0 in the other states.
    public var consecutiveFailures: Int {
        if case .closed(let failures) = state { return failures }
        return 0
    }

    /// When the next attempt may go through, without reserving it.
    public func availability(now: Date) -> Availability {
        switch state {
        case .closed: .now
        case .open(let until, _): until > now ? .at(until) : .now
        case .halfOpen(let trialInFlight, _): trialInFlight ? .afterTrial : .now
        }
    }

    /// Restarts an open breaker's cool-down from `now`, after a step of the wall clock made its
    /// end date meaningless. The cool-down then lasts at most one full length more than planned,
    /// never the size of the step.
    public mutating func restartCooldown(now: Date) {
        if case .open(_, let cooldown) = state {
            state = .open(until: now.adding(cooldown), cooldown: cooldown)
        }
    }

    /// Reserves an attempt. Returns `false` while open or while a trial is in flight. In the
    /// half-open state the caller owns the one trial and must report its outcome or call
    /// `releasePermission()`.
    public mutating func acquirePermission(now: Date) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until, let cooldown):
            guard until <= now else { return false }
            state = .halfOpen(trialInFlight: true, cooldown: cooldown)
            return true
        case .halfOpen(let trialInFlight, let cooldown):
            guard !trialInFlight else { return false }
            state = .halfOpen(trialInFlight: true, cooldown: cooldown)
            return true
        }
    }

    /// Reserves a health probe. A closed breaker allows any number of probes without reserving
    /// anything. An open or half-open one lets the probe take the one trial, as a message would,
    /// and the caller reports it with `recordProbe(healthy:now:)`.
    public mutating func acquireProbePermission(now: Date) -> Bool {
        if case .closed = state { return true }
        return acquirePermission(now: now)
    }

    /// Gives back a reserved trial without an outcome (throttled, recipient error, attempt not made).
    public mutating func releasePermission() {
        if case .halfOpen(_, let cooldown) = state {
            state = .halfOpen(trialInFlight: false, cooldown: cooldown)
        }
    }

    /// Records an accepted message: resets the count, or closes a half-open breaker.
    public mutating func recordSuccess() {
        switch state {
        case .closed, .halfOpen: state = .closed(consecutiveFailures: 0)
        case .open: break
        }
    }

    /// Records an unavailable or ambiguous outcome.
    public mutating func recordFailure(now: Date) {
        switch state {
        case .closed(let failures):
            if failures + 1 >= settings.failureThreshold {
                state = .open(until: now.adding(settings.cooldown), cooldown: settings.cooldown)
            } else {
                state = .closed(consecutiveFailures: failures + 1)
            }
        case .open:
            break
        case .halfOpen(_, let cooldown):
            let longer = grown(cooldown)
            state = .open(until: now.adding(longer), cooldown: longer)
        }
    }

    /// Records a health probe. A failed probe opens a closed breaker at once. A healthy probe
    /// closes a breaker whose cool-down has passed; during the cool-down it changes nothing.
    public mutating func recordProbe(healthy: Bool, now: Date) {
        switch (state, healthy) {
        case (.closed, false):
            state = .open(until: now.adding(settings.cooldown), cooldown: settings.cooldown)
        case (.closed, true):
            break
        case (.open(let until, _), true):
            if until <= now { state = .closed(consecutiveFailures: 0) }
        case (.open, false):
            break
        case (.halfOpen, true):
            state = .closed(consecutiveFailures: 0)
        case (.halfOpen(_, let cooldown), false):
            let longer = grown(cooldown)
            state = .open(until: now.adding(longer), cooldown: longer)
        }
    }

    private func grown(_ cooldown: Duration) -> Duration {
        let seconds = cooldown.timeInterval * settings.cooldownMultiplier
        return min(Duration.clampedSeconds(seconds), settings.maxCooldown)
    }
}
