import Foundation
import Store

/// The provider pool and the delivery rules as plain values: the config maps onto this.
public struct PoolPolicy: Sendable, Equatable {
    /// One provider's place and limits in the pool.
    public struct ProviderPolicy: Sendable, Equatable {
        /// The provider id from the config, as `Provider.id` returns it.
        public var id: String
        /// Sends per second, or `nil` for no rate limit.
        public var ratePerSecond: Double?
        /// Sends allowed in one burst when the rate budget is full.
        public var burst: Int
        /// Sends in flight at once: 1 for a modem, the window for an SMPP link, a few for a cloud API.
        public var maxConcurrentSends: Int
        public var breaker: CircuitBreaker.Settings
        /// Providers of one tier stand in for each other (two modems): when this one's send slots
        /// are full, a message goes to a free provider of the same tier before it waits. `nil`
        /// puts the provider in a tier of its own, so the pool order always wins.
        public var tier: String?

        public init(
            id: String,
            ratePerSecond: Double? = nil,
            burst: Int = 1,
            maxConcurrentSends: Int = 1,
            breaker: CircuitBreaker.Settings = CircuitBreaker.Settings(),
            tier: String? = nil
        ) {
            self.id = id
            self.tier = tier
            self.ratePerSecond = ratePerSecond
            self.burst = max(1, burst)
            self.maxConcurrentSends = max(1, maxConcurrentSends)
            self.breaker = breaker
        }
    }

    /// Limits that depend on a message's priority.
    public struct PriorityPolicy: Sendable, Equatable {
        /// How long a message may wait for a provider's rate budget, throttle pause or free
        /// send slot before it moves on to the next provider.
        public var maxWait: Duration
        /// How long after `sent` a final delivery report may take, for providers that send
        /// reports, before the message is re-routed to the providers after the one that accepted it.
        public var deliveryDeadline: Duration

        public init(maxWait: Duration, deliveryDeadline: Duration) {
            self.maxWait = maxWait
            self.deliveryDeadline = deliveryDeadline
        }
    }

    /// The action for a `normal` or `bulk` message after an ambiguous outcome. `emergency` and
    /// `high` always fail over, because a duplicate is better than a missed alert.
    public enum AmbiguityAction: String, Sendable, Equatable, CaseIterable {
        /// Send it through the next provider, accepting a possible duplicate.
        case failover
        /// Leave it `unknown` for an operator.
        case wait
    }

    /// The providers in pool order: the router tries them first to last.
    public var providers: [ProviderPolicy]
    /// Per-priority limits; a priority missing here uses `defaultPriorityPolicy`.
    public var priorities: [Priority: PriorityPolicy]
    public var defaultPriorityPolicy: PriorityPolicy
    public var onAmbiguous: AmbiguityAction
    /// Attempts over all providers after which a message fails.
    public var maxAttempts: Int
    /// Messages in flight at once over the whole pool.
    public var maxInFlight: Int
    /// The lease of a claim. It must exceed the longest `maxWait` plus the slowest provider's send
    /// time, or another dispatcher may claim the message while it is still being sent.
    public var claimLease: Duration
    /// The minimum delay before a message that found every provider unavailable is claimed again.
    /// It is at least one second, so a pool that fails at once cannot spin the dispatcher.
    public var retryDelay: Duration
    /// The pause after a throttled outcome that gave no retry-after hint.
    public var throttleBackoff: Duration

    public init(
        providers: [ProviderPolicy],
        priorities: [Priority: PriorityPolicy] = [:],
        defaultPriorityPolicy: PriorityPolicy = PriorityPolicy(
            maxWait: .seconds(10),
            deliveryDeadline: .seconds(1800)
        ),
        onAmbiguous: AmbiguityAction = .wait,
        maxAttempts: Int = 10,
        maxInFlight: Int = 8,
        claimLease: Duration = .seconds(300),
        retryDelay: Duration = .seconds(15),
        throttleBackoff: Duration = .seconds(5)
    ) {
        self.providers = providers
        self.priorities = priorities
        self.defaultPriorityPolicy = defaultPriorityPolicy
        self.onAmbiguous = onAmbiguous
        self.maxAttempts = max(1, maxAttempts)
        self.maxInFlight = max(1, maxInFlight)
        self.claimLease = claimLease
        self.retryDelay = max(retryDelay, .seconds(1))
        self.throttleBackoff = throttleBackoff
    }

    /// Returns the limits for `priority`.
    public func settings(for priority: Priority) -> PriorityPolicy {
        priorities[priority] ?? defaultPriorityPolicy
    }

    /// Returns the action after an ambiguous outcome for a message of `priority`.
    public func ambiguityAction(for priority: Priority) -> AmbiguityAction {
        switch priority {
        case .emergency, .high: .failover
        case .normal, .bulk: onAmbiguous
        }
    }

    /// Returns the pool position of `providerID`, or `nil` when it is not in the pool.
    public func position(of providerID: String) -> Int? {
        providers.firstIndex { $0.id == providerID }
    }
}
