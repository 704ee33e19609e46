import Config
import Diagnostics
import Foundation
import Gateway
import Simulators
import Store

/// `lifeline demo`: the failover pool on simulated peers, in one process.
///
/// Starts an SMSC simulator on a free loopback port, a modem simulator on a pseudo terminal, and
/// points a Twilio provider at a loopback port where no server listens, so its connections are refused.
/// It runs the real daemon on a temporary config and database, then sends two messages:
/// the first fails on the cloud and goes out through the SMPP link; the second is sent after the
/// SMSC stops accepting connections and goes out through the modem. Exits 0 only when both reach
/// `delivered` through the expected provider.
struct DemoCommand: Subcommand {
    /// How long each message may take to reach `delivered` before the demo calls it a failure.
    static let deliveryTimeout: Duration = .seconds(30)

    let verbose: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        verbose = arguments.flag("verbose")
    }

    func run() async throws -> ExitCode {
        let logger = verbose
            ? Logger(label: "demo", level: .debug, handler: StdoutLogHandler(prefixesPriority: false))
            : Logger(label: "demo", level: .error, handler: StdoutLogHandler(prefixesPriority: false))
        let stage = try await DemoStage.start(logger: logger)
        print("Lifeline demo: a failover pool of three providers, in this order:")
        print("  1. twilio   cloud API at \(stage.cloudURL) (nothing listens there: connection refused)")
        print("  2. carrier  SMPP 3.4 link to a simulated SMSC at 127.0.0.1:\(stage.smscPort)")
        print("  3. modem-1  GSM modem simulated on the pseudo terminal \(stage.modemPath)")
        print("Database: \(stage.databasePath)\n")

        let daemon = Daemon(config: stage.config, logger: logger)
        let daemonTask = Task { try await daemon.run() }
        let results = await runScenario(stage: stage)

        await daemon.stop()
        _ = await daemonTask.result
        await stage.stop()

        let passed = results.allSatisfy(\.passed)
        print(passed
            ? "\nEvery message was delivered through the expected provider."
            : "\nA message did not take the expected path; run lifeline demo --verbose to see the daemon's log.")
        return passed ? .success : .failure
    }

    private func runScenario(stage: DemoStage) async -> [DemoResult] {
        var results: [DemoResult] = []
        print("Step 1: the cloud API is unreachable; the SMPP link is up.")
        results.append(await stage.sendAndFollow(
            to: "+447700900123",
            text: "Room change: the keynote moves to Hall B at 10:30.",
            priority: .high,
            expectedProvider: "carrier",
            timeout: Self.deliveryTimeout
        ))

        print("\nStep 2: the SMSC stops accepting connections too, so the SMPP link drops.")
        await stage.takeSMSCDown()
        results.append(await stage.sendAndFollow(
            to: "+447700900456",
            text: "Evacuate Hall B now by the north exits. Leave your belongings.",
            priority: .emergency,
            expectedProvider: "modem-1",
            timeout: Self.deliveryTimeout
        ))
        return results
    }
}
