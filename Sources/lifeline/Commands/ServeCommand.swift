import Config
import Diagnostics
import Foundation

/// `lifeline serve`: runs the daemon until SIGTERM or SIGINT, then drains and exits 0.
///
/// SIGHUP reloads the config file. An invalid file is rejected with its errors in the log and
/// the running daemon carries on unchanged. A valid one drains the running daemon (no new claims,
/// sends in flight finish) and starts it again with the new providers; queued messages stay in
/// the database throughout, so none is dropped.
struct ServeCommand: Subcommand {
    let configPath: String

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
    }

    func run() async throws -> ExitCode {
        var config = try loadConfig(at: configPath)
        try RequiredLibraries(config: config).load()
        let control = ServeControl(configPath: configPath)
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT, SIGHUP]) { signal in
            Task { await control.handle(signal: signal) }
        }
        defer { signals.cancel() }
        while true {
            let logger = Logger(label: "lifeline", level: config.logLevel)
            let daemon = Daemon(config: config, logger: logger)
            await control.started(daemon, logger: logger)
            try await daemon.run()
            guard let next = await control.takeReloadedConfig() else { break }
            config = next
            logger.notice("Configuration reloaded; daemon restarted with the new providers")
        }
        return .success
    }
}

/// The running daemon and what the signals asked of it.
actor ServeControl {
    let configPath: String
    private var daemon: Daemon?
    private var logger = Logger.disabled
    private var reloadedConfig: LifelineConfig?
    private var stopping = false

    init(configPath: String) {
        self.configPath = configPath
    }

    func started(_ daemon: Daemon, logger: Logger) async {
        self.daemon = daemon
        self.logger = logger
        if stopping { await daemon.stop() }
    }

    /// Returns the config a reload loaded, once; `nil` when the daemon stopped for good.
    func takeReloadedConfig() -> LifelineConfig? {
        defer { reloadedConfig = nil }
        return stopping ? nil : reloadedConfig
    }

    func handle(signal: Int32) async {
        guard signal == SIGHUP else {
            logger.notice("Stopping on signal", metadata: ["signal": "\(signal)"])
            stopping = true
            await daemon?.stop()
            return
        }
        do {
            let loaded = try LifelineConfig.load(path: configPath, environment: ProcessInfo.processInfo.environment)
            try RequiredLibraries(config: loaded.config).load()
            for warning in loaded.warnings {
                logger.warning("Config warning", metadata: ["warning": "\(warning)"])
            }
            reloadedConfig = loaded.config
            logger.notice("Reloading configuration", metadata: ["config": configPath])
            await daemon?.stop()
        } catch {
            logger.error(
                "Config reload rejected; the running configuration stays in force",
                metadata: ["config": configPath, "error": "\(error)"]
            )
        }
    }
}

/// Turns POSIX signals into calls on a handler, outside signal context, through Dispatch.
final class SignalWatcher: @unchecked Sendable {
    // @unchecked: `sources` is set once in init, and Dispatch sources may be cancelled from any thread.
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
