import Diagnostics
import Foundation
import Simulators

/// `lifeline simulate smsc`: the project's SMPP 3.4 SMSC simulator in the foreground on
/// 127.0.0.1, for benchmarks and for trying SMPP clients such as Kannel against it.
///
/// The first line on stdout is the bound port, flushed at once, so a script can read it before
/// anything else. Runs until SIGINT or SIGTERM, then closes every connection and prints how many
/// submits it received on stderr. With `--verbose` every PDU is logged on stderr at debug level,
/// so stdout carries the port line alone.
struct SimulateCommand: Subcommand {
    let port: UInt16
    let configuration: SMSCSimulatorConfiguration
    let verbose: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        guard let kind = arguments.nextWord() else {
            throw UsageError("missing simulator kind: run lifeline simulate smsc [--port N]")
        }
        guard kind == "smsc" else {
            throw UsageError("unknown simulator '\(kind)': the only one is smsc")
        }
        port = try Self.port(try arguments.option("port"))
        var configuration = SMSCSimulatorConfiguration()
        if let systemID = try arguments.option("system-id") {
            guard !systemID.isEmpty, systemID.utf8.count <= 15 else {
                throw UsageError("invalid --system-id '\(systemID)': give 1 to 15 characters (the SMPP 3.4 limit)")
            }
            configuration.systemID = systemID
        }
        if let password = try arguments.option("password") {
            configuration.password = password
        }
        if let text = try arguments.option("receipt-delay") {
            guard let delay = Self.parseDuration(text) else {
                throw UsageError("invalid --receipt-delay '\(text)': give a duration such as 0ms, 20ms or 2s")
            }
            configuration.receiptDelay = delay
        }
        self.configuration = configuration
        verbose = arguments.flag("verbose")
    }

    func run() async throws -> ExitCode {
        let logger = verbose
            ? Logger(
                label: "smsc-simulator",
                level: .debug,
                handler: StdoutLogHandler(handle: .standardError, prefixesPriority: false)
            )
            : Logger.disabled
        let simulator = SMSCSimulator(configuration: configuration, logger: logger)
        let bound = try await simulator.start(port: port)
        FileHandle.standardOutput.write(Data("\(bound)\n".utf8))

        await Self.waitForStopSignal()
        let received = await simulator.receivedSubmits.count
        await simulator.stop()
        FileHandle.standardError.write(Data("lifeline: smsc simulator stopped after \(received) submits\n".utf8))
        return .success
    }

    /// Returns after the first SIGINT or SIGTERM.
    private static func waitForStopSignal() async {
        let stream = AsyncStream<Int32> { continuation in
            let watcher = SignalWatcher(signals: [SIGINT, SIGTERM]) { signal in
                continuation.yield(signal)
            }
            continuation.onTermination = { _ in watcher.cancel() }
        }
        for await _ in stream { return }
    }

    private static func port(_ text: String?) throws(UsageError) -> UInt16 {
        guard let text else { return 0 }
        guard let value = UInt16(text) else {
            throw UsageError("invalid --port '\(text)': give a TCP port from 0 to 65535 (0 picks a free one)")
        }
        return value
    }

    /// Parses `250ms`, `2s` or `0`; `nil` for anything else.
    static func parseDuration(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        if text.hasSuffix("ms"), let value = Int64(text.dropLast(2)), value >= 0 {
            return .milliseconds(value)
        }
        if text.hasSuffix("s"), let value = Int64(text.dropLast(1)), value >= 0 {
            return .seconds(value)
        }
        return nil
    }
}
