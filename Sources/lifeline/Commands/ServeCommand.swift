import Config
import Diagnostics
import Foundation

/// `lifeline serve`: runs the daemon until SIGTERM or SIGINT, then drains and exits 0.
struct ServeCommand: Subcommand {
    let configPath: String

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: configPath)
        let logger = Logger(label: "lifeline", level: config.logLevel)
        let daemon = Daemon(config: config, logger: logger)
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { signal in
            logger.notice("Stopping on signal", metadata: ["signal": "\(signal)"])
            Task { await daemon.stop() }
        }
        defer { signals.cancel() }
        try await daemon.run()
        return .success
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
