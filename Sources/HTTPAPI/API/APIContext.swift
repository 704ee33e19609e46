import Gateway

/// The daemon's side of the HTTP API: closures the daemon supplies.
///
/// Every closure may be called from any task at any time while the server runs, several at
/// once, so each must be safe to call concurrently and should return quickly. A daemon with a
/// `Dispatcher` wires it like this:
///
/// ```swift
/// let context = APIContext(
///     wakeDispatcher: { dispatcher.wake() },
///     providers: { await daemon.providerOverviews() },  // statuses with the latest probe words
///     deliveryReport: { await dispatcher.deliveryTracker.handle($0) },
///     dispatcherHealthy: { await daemon.isMakingProgress() },
///     sendLatency: { dispatcher.sendLatency.snapshot() },
///     modemRadios: { daemon.modemRadios() }
/// )
/// ```
public struct APIContext: Sendable {
    /// Called after a message or broadcast was committed to the store, so the dispatcher claims it
    /// at once instead of at its next wake-up.
    public var wakeDispatcher: @Sendable () -> Void
    /// The pool in config order with each provider's routing state and health, for
    /// `GET /v1/providers`, `/metrics`, the status page and its event stream.
    public var providers: @Sendable () async -> [ProviderOverview]
    /// Receives each delivery report from a webhook whose signature checked out (normally
    /// `DeliveryTracker.handle`). The webhook responds after it returns.
    public var deliveryReport: DeliveryReportHandler
    /// Whether the dispatcher is making progress (or idle and healthy), for `GET /healthz`.
    public var dispatcherHealthy: @Sendable () async -> Bool
    /// Send latency per provider since the daemon started (normally `Dispatcher.sendLatency`), for
    /// `/metrics`. Called on each scrape, so it must be cheap.
    public var sendLatency: @Sendable () -> [String: SendLatencyHistogram.Snapshot]
    /// Each modem's radio from its latest probe, by provider id (`Provider.radio`), for `/metrics`.
    /// Modems not yet probed are left out.
    public var modemRadios: @Sendable () async -> [String: ModemRadio]
    /// Whether the separate receiver session of each `bind: transmitter_receiver` SMPP link is
    /// bound, by provider id (`SMPPProvider.receiverStatus`), for `/metrics`. Links with one
    /// session are left out.
    public var smppReceivers: @Sendable () async -> [String: Bool]

    /// - Parameters:
    ///   - sendLatency: defaults to no observations, for a server without a dispatcher.
    ///   - modemRadios: defaults to no modems.
    ///   - smppReceivers: defaults to no SMPP links with a separate receiver.
    public init(
        wakeDispatcher: @escaping @Sendable () -> Void,
        providers: @escaping @Sendable () async -> [ProviderOverview],
        deliveryReport: @escaping DeliveryReportHandler,
        dispatcherHealthy: @escaping @Sendable () async -> Bool,
        sendLatency: @escaping @Sendable () -> [String: SendLatencyHistogram.Snapshot] = { [:] },
        modemRadios: @escaping @Sendable () async -> [String: ModemRadio] = { [:] },
        smppReceivers: @escaping @Sendable () async -> [String: Bool] = { [:] }
    ) {
        self.wakeDispatcher = wakeDispatcher
        self.providers = providers
        self.deliveryReport = deliveryReport
        self.dispatcherHealthy = dispatcherHealthy
        self.sendLatency = sendLatency
        self.modemRadios = modemRadios
        self.smppReceivers = smppReceivers
    }
}

/// One provider as the API shows it: the router's state and the watchdog's word on its health.
public struct ProviderOverview: Sendable, Equatable {
    /// Breaker, pause, sends in flight and rate tokens, from `Router.status(now:)`.
    public var status: ProviderStatus
    /// A short health word or sentence from the latest probe: `healthy`, `unhealthy: not registered`,
    /// followed for an SMPP link whose separate receiver is down by `; receiver down since …`.
    public var health: String

    public init(status: ProviderStatus, health: String) {
        self.status = status
        self.health = health
    }
}
