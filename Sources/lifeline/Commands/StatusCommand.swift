import Config
import Foundation
import Store

/// `lifeline status`: each provider's health and breaker as the running daemon last published
/// them, and the queue depth per priority read from the database.
struct StatusCommand: Subcommand {
    struct Report: Codable {
        var daemonRunning: Bool
        var daemonUpdatedAt: Date?
        var providers: [DaemonStatusSnapshot.ProviderEntry]
        var queueDepth: [String: Int]
    }

    let configPath: String
    let json: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
        json = arguments.flag("json")
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: configPath)
        let store = try await openQueueDatabase(config: config)
        defer { Task { await store.close() } }
        let depth = try await store.queueDepth()
        let report = makeReport(config: config, depth: depth, snapshot: DaemonStatusSnapshot.read(from: config.statusFile))
        printBlock(json ? try MessageListing.json(report) : render(report, statusFile: config.statusFile))
        return .success
    }

    private func makeReport(
        config: LifelineConfig,
        depth: [Priority: Int],
        snapshot: DaemonStatusSnapshot?
    ) -> Report {
        let fresh = snapshot.map { Date().timeIntervalSince($0.updatedAt) < DaemonStatusSnapshot.staleAfter } ?? false
        let published = Dictionary((snapshot?.providers ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let providers = config.providers.map { provider in
            fresh
                ? published[provider.id]
                    ?? .init(id: provider.id, type: provider.type.rawValue, breaker: "unknown", health: "not started", sendsInFlight: 0)
                : .init(id: provider.id, type: provider.type.rawValue, breaker: "unknown", health: "daemon not running", sendsInFlight: 0)
        }
        var queueDepth: [String: Int] = [:]
        for priority in Priority.allCases { queueDepth[priority.rawValue] = depth[priority] ?? 0 }
        return Report(daemonRunning: fresh, daemonUpdatedAt: snapshot?.updatedAt, providers: providers, queueDepth: queueDepth)
    }

    private func render(_ report: Report, statusFile: String) -> String {
        let staleAfter = Int(DaemonStatusSnapshot.staleAfter)
        var output = report.daemonRunning
            ? "Daemon: running\n"
            : "Daemon: not running (no status published to \(statusFile) in the last \(staleAfter) s)\n"
        var rows = [["PROVIDER", "TYPE", "BREAKER", "IN FLIGHT", "HEALTH"]]
        for provider in report.providers {
            rows.append([provider.id, provider.type, provider.breaker, String(provider.sendsInFlight), provider.health])
        }
        output += "\n" + TextTable.render(rows) + "\nQueue (queued or sending):\n"
        output += TextTable.render(Priority.allCases.map { [$0.rawValue, String(report.queueDepth[$0.rawValue] ?? 0)] })
        return output
    }
}
