import Config
import Store

extension PoolPolicy {
    /// Builds the pool's policy from the config file: pool order, rates, breakers, per-priority
    /// waits and deadlines, and the ambiguity policy.
    ///
    /// Claims are not renewed while a message waits, so the lease is stretched to cover the
    /// longest wait for a busy provider plus the slowest provider's timeout; otherwise a waiting
    /// message could be claimed twice.
    public init(config: LifelineConfig) {
        let queue = config.queue
        let providers = config.providers.map { provider in
            ProviderPolicy(
                id: provider.id,
                ratePerSecond: provider.rate?.perSecond,
                burst: provider.rate?.burst ?? 1,
                maxConcurrentSends: provider.maxConcurrentSends,
                breaker: CircuitBreaker.Settings(
                    failureThreshold: config.breaker.failureThreshold,
                    cooldown: config.breaker.cooldown
                ),
                tier: provider.type == .modem ? "modem" : nil
            )
        }
        var priorities: [Priority: PriorityPolicy] = [:]
        for priority in Priority.allCases {
            priorities[priority] = PriorityPolicy(
                maxWait: queue.maxWait[priorityName: priority.rawValue] ?? .seconds(10),
                deliveryDeadline: queue.deliveryDeadline[priorityName: priority.rawValue] ?? .seconds(1800)
            )
        }
        let longestWait = priorities.values.map(\.maxWait).max() ?? .zero
        let slowestSend = config.providers.map(\.sendTimeout).max() ?? .seconds(30)
        self.init(
            providers: providers,
            priorities: priorities,
            onAmbiguous: queue.onAmbiguous == .failover ? .failover : .wait,
            maxAttempts: queue.maxAttempts,
            maxInFlight: max(8, providers.map(\.maxConcurrentSends).reduce(0, +)),
            claimLease: max(queue.lease, longestWait + slowestSend + .seconds(30))
        )
    }
}

extension ProviderSettings {
    /// Sends one provider may have in flight at once: a modem sends one message at a time, an
    /// SMPP link fills its window, a cloud API takes a few parallel requests.
    var maxConcurrentSends: Int {
        switch kind {
        case .modem: 1
        case .smpp(let settings): max(1, settings.window)
        case .twilio, .vonage, .sns: 4
        }
    }

    /// The longest a single send may take before its outcome is ambiguous.
    var sendTimeout: Duration {
        switch kind {
        case .twilio(let settings): settings.timeouts.request
        case .vonage(let settings): settings.timeouts.request
        case .sns(let settings): settings.timeouts.request
        case .smpp(let settings): settings.responseTimeout
        case .modem: .seconds(60)
        }
    }
}
