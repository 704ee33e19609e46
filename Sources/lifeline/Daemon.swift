import Config
import Diagnostics
import Foundation
import Gateway
import HTTPAPI
import Store
import Synchronization

/// The running gateway: the store, the provider pool, the dispatcher with its delivery tracker,
/// the cross-process wake-up listener, health probes and the published status snapshot.
///
/// `run()` starts the parts in dependency order and returns after `stop()` has drained the
/// dispatcher: no new claims, sends in flight finished, providers stopped, store closed.
actor Daemon {
    /// How often each provider is probed without sending a message.
    static let probeInterval: Duration = .seconds(10)
    /// The wait before the first probe, so links still binding and modems still initialising at
    /// start-up are not reported down and their breakers not opened for a whole cool-down.
    static let firstProbeDelay: Duration = .seconds(5)
    /// The maximum wait at start for the providers to bind or initialise.
    static let readinessWait: Duration = .seconds(5)
    /// How often the status snapshot is rewritten when nothing changes.
    static let snapshotInterval: Duration = .seconds(2)
    /// How often the wall clock is compared with the monotonic clock to notice a step.
    static let clockSampleInterval: Duration = .seconds(5)
    /// How often finished messages are pruned (older than `queue.retention`) and due messages expired.
    static let maintenanceInterval: Duration = .seconds(3600)

    let config: LifelineConfig
    let logger: Logger
    let notifier = SystemdNotifier()
    private var dispatcher: Dispatcher?
    private var stopRequested = false
    private var health: [String: String] = [:]
    /// The SMPP providers of the pool by id, for their receiver sessions' state in status displays.
    private var smppProviders: [String: SMPPProvider] = [:]
    private var alertPolicy = AdminAlertPolicy()
    /// Whether the admins were sent a backlog alert that has not been followed by its all-clear.
    private var backlogAlertSent = false
    /// Whether the last write of the status snapshot failed, so a lasting failure is logged once.
    private var statusFileFailing = false
    /// SMPP links whose admins were sent a receiver-down alert not yet followed by its all-clear.
    private var receiverAlertsSent: Set<String> = []
    private var store: (any QueueDatabase)?
    private let startedAt = Date()

    init(config: LifelineConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Runs until `stop()`. Throws when the store cannot be opened or the pool cannot be built.
    func run() async throws {
        let store = try await openQueueDatabase(config: config, logger: logger.child(label: "store"))
        self.store = store
        let inboundLogger = logger.child(label: "inbound")
        let providers = try ProviderFactory.makeProviders(config: config, logger: logger) { message in
            await Daemon.storeInbound(message, store: store, logger: inboundLogger)
        }
        for provider in providers {
            smppProviders[provider.id] = SMPPProvider.unwrapping(provider)
        }
        let policy = PoolPolicy(config: config)
        let boxes = store as? any BoxRegistry
        let dispatcher = try Dispatcher(
            store: store,
            providers: providers,
            policy: policy,
            logger: logger.child(label: "dispatcher"),
            boxes: boxes
        )
        self.dispatcher = dispatcher

        // The wake-up socket of an SQLite database admits one daemon per file, so it is bound
        // before recovery: a second daemon on the same file stops here, before it could take the
        // claims of the one running.
        let listener = try await store.makeQueueWakeSource(logger: logger.child(label: "wake"))
        let recovery: AmbiguityRecovery.Summary
        let released: Int
        do {
            recovery = try await dispatcher.recoverInterruptedAttempts()
            released = try await store.releaseBackoffs(now: Date())
        } catch {
            listener.close()
            throw error
        }
        logger.info("Recovered interrupted attempts", metadata: ["recovery": "\(recovery)"])
        if released > 0 {
            logger.info("Released queued messages from their back-off for the new pool", metadata: ["count": "\(released)"])
        }
        for provider in providers {
            // An SMPP receipt gets its deliver_sm_resp once stored, with an error status when
            // storing failed.
            SMPPProvider.unwrapping(provider)?.onReceipt = { report, settled in
                await dispatcher.deliveryTracker.handle(report, settled: settled)
            }
            await provider.start(reports: { report in await dispatcher.deliveryTracker.handle(report) })
        }
        // Links bind and modems initialise in the background. A bounded wait for them keeps the
        // first messages from failing over past a provider that is seconds from ready.
        await withTaskGroup(of: Void.self) { group in
            for provider in providers {
                group.addTask { await provider.waitUntilReady(timeout: Daemon.readinessWait) }
            }
        }
        let background = startBackgroundTasks(dispatcher: dispatcher, providers: providers, listener: listener, store: store)
        let apiServer = try startAPIServer(dispatcher: dispatcher, store: store, providers: providers)

        logger.info("Daemon started", metadata: ["providers": providers.map { $0.id }.joined(separator: ","), "database": store.displayName, "node": config.node])
        notifier.ready(status: "sending through \(providers.count) providers")
        if stopRequested { await dispatcher.stop() }
        do {
            try await dispatcher.run()
        } catch DispatcherError.notRestartable where stopRequested {
            // A stop during start-up drained the dispatcher before it ran; that is a clean stop.
        }

        notifier.stopping()
        await apiServer?.stop()
        for task in background { task.cancel() }
        listener.close()
        for provider in providers { await provider.stop() }
        await store.close()
        logger.info("Daemon stopped")
    }

    /// Drains and stops the daemon; `run()` then returns.
    func stop() async {
        stopRequested = true
        await dispatcher?.stop()
    }

    private func startBackgroundTasks(
        dispatcher: Dispatcher,
        providers: [any Provider],
        listener: any QueueWakeSource,
        store: any QueueDatabase
    ) -> [Task<Void, Never>] {
        let wakeTask = Task {
            for await _ in listener.wakeUps { dispatcher.wake() }
        }
        let probeTask = Task { [weak self] in
            try? await Task.sleep(for: Daemon.firstProbeDelay)
            while !Task.isCancelled {
                for provider in providers {
                    await self?.probe(provider, dispatcher: dispatcher)
                }
                try? await Task.sleep(for: Daemon.probeInterval)
            }
        }
        let snapshotTask = Task { [weak self] in
            while !Task.isCancelled {
                await self?.publishSnapshot(dispatcher: dispatcher)
                try? await Task.sleep(for: Daemon.snapshotInterval)
            }
        }
        let maintenanceTask = Task { [logger, retention = config.queue.retention] in
            while !Task.isCancelled {
                await Daemon.runMaintenance(store: store, retention: retention, logger: logger)
                try? await Task.sleep(for: Daemon.maintenanceInterval)
            }
        }
        var tasks = [wakeTask, probeTask, snapshotTask, maintenanceTask, clockStepTask(dispatcher: dispatcher)]
        if let boxes = store as? any BoxRegistry {
            tasks.append(heartbeatTask(boxes: boxes, providerIDs: providers.map(\.id), dispatcher: dispatcher))
        }
        if config.alerts.watchesBacklog {
            tasks.append(backlogTask(store: store))
        }
        if !config.admins.isEmpty, !smppProviders.isEmpty {
            tasks.append(receiverOutageTask())
        }
        if let interval = notifier.watchdogInterval {
            tasks.append(watchdogTask(interval: interval, dispatcher: dispatcher, store: store))
        }
        return tasks
    }

    /// Samples the wall and monotonic clocks every `clockSampleInterval`, logs a step of the wall
    /// clock at warning, and restarts the dispatcher's wall-clock spans.
    private func clockStepTask(dispatcher: Dispatcher) -> Task<Void, Never> {
        let logger = logger
        return Task {
            let clock = SystemDispatchClock()
            var detector = ClockStepDetector()
            while !Task.isCancelled {
                if let step = detector.sample(wall: clock.now, uptime: clock.uptime) {
                    Daemon.log(step, logger: logger)
                    await dispatcher.clockStepped()
                }
                try? await Task.sleep(for: Daemon.clockSampleInterval)
            }
        }
    }

    /// Logs a wall-clock step in an admin's words.
    static func log(_ step: ClockStepDetector.Step, logger: Logger) {
        let seconds = step.offset / .seconds(1)
        let direction = seconds > 0 ? "forward" : "back"
        logger.warning(
            "System clock stepped \(direction) by \(Int(abs(seconds).rounded())) s: claims and delivery deadlines are unaffected, breaker cool-downs restart; message expiry and scheduled times follow the new clock. Check time sync with `timedatectl status`",
            metadata: ["clock.step_seconds": "\((seconds * 10).rounded() / 10)"]
        )
    }

    /// Pings systemd's watchdog at half its interval, but only after the dispatcher and the store
    /// have each returned from a call within that half interval. A wedged dispatcher actor or a store
    /// writer stuck in SQLite stops the pings, so systemd restarts the daemon; a timer alone never pings.
    private func watchdogTask(interval: Duration, dispatcher: Dispatcher, store: any QueueDatabase) -> Task<Void, Never> {
        let notifier = notifier
        let logger = logger
        return Task {
            let period = interval / 2
            var reportedStall = false
            while !Task.isCancelled {
                let healthy = await Daemon.respondsWithin(period) {
                    _ = await dispatcher.messagesInFlight
                    _ = try await store.queueDepth()
                }
                if healthy {
                    notifier.watchdogPing()
                    reportedStall = false
                } else if !reportedStall {
                    logger.critical("Dispatcher or store stopped responding; withholding watchdog pings")
                    reportedStall = true
                }
                try? await Task.sleep(for: period)
            }
        }
    }

    /// Runs `check` and returns whether it finished without error before `limit`. Returns at the
    /// limit even when `check` hangs; the hung call is left behind, which is what a stall means.
    static func respondsWithin(_ limit: Duration, _ check: @escaping @Sendable () async throws -> Void) async -> Bool {
        await withCheckedContinuation { continuation in
            let resumed = Mutex(false)
            let finish: @Sendable (Bool) -> Void = { healthy in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: healthy) }
            }
            Task {
                do {
                    try await check()
                    finish(true)
                } catch {
                    finish(false)
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                finish(false)
            }
        }
    }

    /// Stores a message a provider received, trying three times 1 s apart, since the provider
    /// cannot fetch it again. Logs the outcome without the sender's number or the text and
    /// returns whether the message was stored (a modem deletes it from its SIM only then).
    static func storeInbound(_ message: InboundMessage, store: any QueueDatabase, logger: Logger) async -> Bool {
        var lastError = ""
        for attempt in 1...3 {
            do {
                let id = try await store.recordInbound(message)
                logger.info(
                    "Inbound message stored",
                    metadata: ["inbound.id": "\(id)", "provider.id": message.providerID, "inbound.parts": "\(message.parts)"]
                )
                return true
            } catch {
                lastError = "\(error)"
                if attempt < 3 { try? await Task.sleep(for: .seconds(1)) }
            }
        }
        logger.error(
            "Inbound message not stored",
            metadata: ["provider.id": message.providerID, "error": lastError]
        )
        return false
    }

    /// Registers this box with its providers on the shared queue and renews its heartbeat every
    /// `shared.heartbeatInterval`; after each heartbeat it wakes the dispatcher when a hand-off to
    /// a box that stopped heartbeating has lapsed, so that message is settled without waiting
    /// for other work. A failed heartbeat is logged and tried again at the next interval.
    private func heartbeatTask(boxes: any BoxRegistry, providerIDs: [String], dispatcher: Dispatcher) -> Task<Void, Never> {
        Task { [logger, interval = config.shared.heartbeatInterval] in
            var failing = false
            while !Task.isCancelled {
                do {
                    try await boxes.registerBox(providerIDs: providerIDs)
                    if try await boxes.lapsedHandoffCount() > 0 { dispatcher.wake() }
                    failing = false
                } catch {
                    if !failing { logger.error("Could not write this box's heartbeat", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Samples the queue's depth, and logs and alerts the admins when it stays above
    /// `alerts.backlog_threshold` for `alerts.backlog_for`, and again when it falls back.
    private func backlogTask(store: any QueueDatabase) -> Task<Void, Never> {
        let alerts = config.alerts
        return Task { [weak self] in
            var monitor = BacklogMonitor(threshold: alerts.backlogThreshold, duration: alerts.backlogDuration)
            while !Task.isCancelled {
                try? await Task.sleep(for: monitor.sampleInterval)
                guard let action = try? await monitor.check(store, at: .now) else { continue }
                await self?.report(action)
            }
        }
    }

    /// Samples the separate receiver session of every SMPP link that has one, and queues an SMS to
    /// the admins when it stays unbound for `alerts.receiver_down_for`, and again when it binds
    /// after that. The link logs the outage itself as soon as it starts.
    private func receiverOutageTask() -> Task<Void, Never> {
        let links = smppProviders
        let duration = config.alerts.receiverDownDuration
        return Task { [weak self] in
            var monitor = ReceiverOutageMonitor(duration: duration)
            while !Task.isCancelled {
                try? await Task.sleep(for: monitor.sampleInterval)
                for (id, link) in links.sorted(by: { $0.key < $1.key }) {
                    guard let status = await link.receiverStatus else { continue }
                    guard let action = monitor.observe(providerID: id, isBound: status.isBound, at: .now) else { continue }
                    await self?.report(action)
                }
            }
        }
    }

    /// Queues the SMS to the admins about a receiver outage or its end.
    private func report(_ action: ReceiverOutageMonitor.Action) async {
        let host = ProcessInfo.processInfo.hostName
        switch action {
        case .down(let id, let lasted):
            let text = AdminAlertPolicy.receiverText(providerID: id, isUp: false, lasted: lasted, host: host)
            if await alertAdmins(.receiverDown(id), text: text) { receiverAlertsSent.insert(id) }
        case .up(let id, let lasted):
            guard receiverAlertsSent.remove(id) != nil else { return }
            let text = AdminAlertPolicy.receiverText(providerID: id, isUp: true, lasted: lasted, host: host)
            _ = await alertAdmins(.receiverUp(id), text: text)
        }
    }

    /// Logs a backlog change and queues its SMS to the admins.
    private func report(_ action: BacklogMonitor.Action) async {
        let threshold = config.alerts.backlogThreshold
        let host = ProcessInfo.processInfo.hostName
        switch action {
        case .raise(let waiting, let lasted):
            logger.warning(
                "Queue backed up: messages waiting stayed above the backlog threshold",
                metadata: ["queue.waiting": "\(waiting)", "queue.threshold": "\(threshold)", "queue.seconds": "\(lasted.components.seconds)"]
            )
            backlogAlertSent = await alertAdmins(
                .backlog,
                text: AdminAlertPolicy.backlogText(waiting: waiting, threshold: threshold, lasted: lasted, host: host)
            )
        case .clear(let waiting, let lasted):
            logger.notice(
                "Queue backlog cleared",
                metadata: ["queue.waiting": "\(waiting)", "queue.threshold": "\(threshold)", "queue.seconds": "\(lasted.components.seconds)"]
            )
            guard backlogAlertSent else { return }
            backlogAlertSent = false
            _ = await alertAdmins(
                .backlogCleared,
                text: AdminAlertPolicy.backlogClearedText(waiting: waiting, threshold: threshold, host: host)
            )
        }
    }

    /// Expires queued messages past their deadline and prunes finished ones older than
    /// `retention`. Errors are logged and retried at the next run; nothing queued is touched by pruning.
    static func runMaintenance(store: any QueueDatabase, retention: Duration, logger: Logger) async {
        do {
            let expired = try await store.expireMessages(now: Date())
            let pruned = try await store.pruneFinishedMessages(olderThan: retention, now: Date())
            if !expired.isEmpty || pruned > 0 {
                logger.info("Queue maintenance ran", metadata: ["expired": "\(expired.count)", "pruned": "\(pruned)"])
            }
        } catch {
            logger.error("Queue maintenance failed; retrying at the next run", metadata: ["error": "\(error)"])
        }
    }

    /// Starts the HTTP API when the config has an `http` section; `nil` otherwise.
    private func startAPIServer(dispatcher: Dispatcher, store: any QueueDatabase, providers: [any Provider]) throws -> APIServer? {
        guard let settings = config.http else { return nil }
        let context = APIContext(
            wakeDispatcher: { dispatcher.wake() },
            providers: { [weak self] in await self?.providerOverviews(dispatcher: dispatcher) ?? [] },
            deliveryReport: { report in await dispatcher.deliveryTracker.handle(report) },
            dispatcherHealthy: {
                await Daemon.respondsWithin(.seconds(2)) {
                    _ = await dispatcher.messagesInFlight
                    _ = try await store.queueDepth()
                }
            },
            sendLatency: { dispatcher.sendLatency.snapshot() },
            modemRadios: {
                var radios: [String: ModemRadio] = [:]
                for provider in providers { radios[provider.id] = provider.radio }
                return radios
            },
            smppReceivers: {
                var receivers: [String: Bool] = [:]
                for provider in providers {
                    guard let status = await SMPPProvider.unwrapping(provider)?.receiverStatus else { continue }
                    receivers[provider.id] = status.isBound
                }
                return receivers
            }
        )
        let server = APIServer(settings: settings, config: config, store: store, context: context, logger: logger.child(label: "http"))
        try server.start()
        logger.info("HTTP API listening", metadata: ["http.address": settings.listenHost, "http.port": "\(server.port)"])
        return server
    }

    /// Returns each provider's routing state with the latest probe result, for the HTTP API.
    private func providerOverviews(dispatcher: Dispatcher) async -> [ProviderOverview] {
        var overviews: [ProviderOverview] = []
        for status in await dispatcher.providerStatuses() {
            overviews.append(ProviderOverview(status: status, health: await displayedHealth(status.id)))
        }
        return overviews
    }

    /// Returns the latest probe's word on a provider. For an SMPP link whose separate receiver is
    /// not bound a note follows, because the probe checks the transmitter alone.
    private func displayedHealth(_ providerID: String) async -> String {
        let probed = health[providerID] ?? "not probed yet"
        guard let note = await smppProviders[providerID]?.receiverNote else { return probed }
        return probed + "; " + note
    }

    /// Probes one provider when its breaker allows it, and feeds the result to the breaker.
    private func probe(_ provider: any Provider, dispatcher: Dispatcher) async {
        guard await dispatcher.beginProbe(providerID: provider.id) else { return }
        let result = await provider.probe()
        await dispatcher.recordProbe(result, providerID: provider.id)
        let previous = health[provider.id]
        switch result {
        case .healthy:
            health[provider.id] = "healthy"
            if let previous, previous != "healthy" {
                logger.notice("Provider recovered", metadata: ["provider.id": provider.id])
                await alertAdmins(providerID: provider.id, isUp: true, reason: nil)
            }
        case .unhealthy(let reason):
            health[provider.id] = reason
            if previous == nil || previous == "healthy" {
                logger.warning("Provider unhealthy", metadata: ["provider.id": provider.id, "reason": reason])
                await alertAdmins(providerID: provider.id, isUp: false, reason: reason)
            }
        }
    }

    /// Queues an emergency SMS about a provider to each admin number.
    private func alertAdmins(providerID: String, isUp: Bool, reason: String?) async {
        let host = ProcessInfo.processInfo.hostName
        let text = AdminAlertPolicy.text(providerID: providerID, isUp: isUp, reason: reason, host: host)
        _ = await alertAdmins(.provider(providerID), text: text)
    }

    /// Queues an emergency SMS to each admin number, so it leaves through the best provider still
    /// up. Rate-limited by `AdminAlertPolicy`; a suppressed alert is only logged.
    /// - Returns: whether the alert was queued.
    private func alertAdmins(_ subject: AdminAlertPolicy.Subject, text: String) async -> Bool {
        guard !config.admins.isEmpty, let store else { return false }
        guard alertPolicy.admit(subject, now: Date()) else {
            logger.info("Admin alert suppressed by its rate limit", metadata: ["alert.subject": "\(subject)"])
            return false
        }
        let intake = Intake(config: config)
        do {
            let submissions = try config.admins.map { try intake.check(recipient: $0, text: text, priority: .emergency).submission }
            let ids = try await store.enqueue(submissions, now: Date())
            logger.notice("Admin alert queued", metadata: ["alert.subject": "\(subject)", "message.ids": ids.map(String.init).joined(separator: ",")])
            return true
        } catch {
            logger.error("Admin alert not queued", metadata: ["alert.subject": "\(subject)", "error": "\(error)"])
            return false
        }
    }

    private func publishSnapshot(dispatcher: Dispatcher) async {
        let now = Date()
        let statuses = await dispatcher.providerStatuses()
        let types = Dictionary(config.providers.map { ($0.id, $0.type.rawValue) }, uniquingKeysWith: { first, _ in first })
        var entries: [DaemonStatusSnapshot.ProviderEntry] = []
        for status in statuses {
            entries.append(DaemonStatusSnapshot.ProviderEntry(
                id: status.id,
                type: types[status.id] ?? "unknown",
                breaker: status.breaker.name,
                openUntil: status.breaker.openUntil,
                health: await displayedHealth(status.id),
                sendsInFlight: status.sendsInFlight
            ))
        }
        let snapshot = DaemonStatusSnapshot(pid: getpid(), startedAt: startedAt, updatedAt: now, providers: entries)
        do {
            try snapshot.write(to: config.statusFile)
            if statusFileFailing {
                statusFileFailing = false
                logger.info("Status snapshot written again", metadata: ["path": "\(config.statusFile)"])
            }
        } catch {
            // The write is retried every 2 s, so a lasting failure is logged once.
            guard !statusFileFailing else { return }
            statusFileFailing = true
            logger.warning(
                "Status snapshot not written, so lifeline status reports the daemon as not running. Set status_file "
                    + "to a file in a directory the service may write, such as /var/lib/lifeline/status.json",
                metadata: ["path": "\(config.statusFile)", "error": "\(error)"])
        }
    }
}

extension CircuitBreaker.Status {
    /// `closed`, `open` or `half-open`, as `lifeline status` prints it.
    var name: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        }
    }

    var openUntil: Date? {
        if case .open(let until) = self { return until }
        return nil
    }
}
