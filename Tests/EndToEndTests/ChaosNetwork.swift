import Foundation

/// A network namespace for the daemon, joined to the test's namespace by a veth pair, with
/// faults on that link: delay and loss, and a partition that drops every packet for a while.
///
/// Needs root and iproute2. Delay and loss use tc's netem qdisc on both ends of the link. A
/// kernel built without netem gets loss from an nftables rule in the namespace instead, and no
/// delay. The partition is an nftables rule dropping everything on the link (the link is set
/// down when `nft` is missing). Every address is a link-local one on this veth pair, so no packet
/// leaves the machine. `destroy()` deletes the namespace and the veth pair with it.
final class ChaosNetwork: Sendable {
    /// The namespace's name, for `ip netns exec`.
    let name: String
    /// The veth end in the test's namespace, and its address.
    let hostInterface: String
    let hostAddress: String
    /// The veth end inside the namespace.
    let boxInterface: String

    /// Whether the run was requested with `LIFELINE_NETNS_CHAOS=1`; it changes the host's
    /// network configuration, so plain `swift test` leaves it out.
    static var isRequested: Bool { ProcessInfo.processInfo.environment["LIFELINE_NETNS_CHAOS"] == "1" }

    private init(suffix: Int) {
        name = "lifeline-chaos-\(suffix)"
        hostInterface = "llh\(suffix)"
        boxInterface = "llb\(suffix)"
        hostAddress = "169.254.213.1"
    }

    /// Creates the namespace, the veth pair and the addresses.
    /// - Throws: when a command fails (not root, or namespaces not allowed here), naming it.
    static func create() async throws -> ChaosNetwork {
        let network = ChaosNetwork(suffix: Int(getpid()) % 100_000)
        do {
            try await network.run(["ip", "netns", "add", network.name])
            try await network.run(["ip", "link", "add", network.hostInterface, "type", "veth", "peer", "name", network.boxInterface])
            try await network.run(["ip", "link", "set", network.boxInterface, "netns", network.name])
            try await network.run(["ip", "address", "add", network.hostAddress + "/30", "dev", network.hostInterface])
            try await network.run(["ip", "link", "set", network.hostInterface, "up"])
            try await network.inside(["ip", "address", "add", "169.254.213.2/30", "dev", network.boxInterface])
            try await network.inside(["ip", "link", "set", network.boxInterface, "up"])
            try await network.inside(["ip", "link", "set", "lo", "up"])
        } catch {
            await network.destroy()
            throw error
        }
        return network
    }

    /// Adds delay (with jitter) and loss in both directions; returns what was applied.
    func applyLinkFaults(delayMilliseconds: Int, jitterMilliseconds: Int, lossPercent: Double) async throws -> String {
        let netem = ["netem", "delay", "\(delayMilliseconds)ms", "\(jitterMilliseconds)ms", "loss", "\(lossPercent)%"]
        if (try? await run(["tc", "qdisc", "add", "dev", hostInterface, "root"] + netem)) != nil {
            try await inside(["tc", "qdisc", "add", "dev", boxInterface, "root"] + netem)
            return "tc netem delay \(delayMilliseconds) ms ± \(jitterMilliseconds) ms, loss \(lossPercent) % each way"
        }
        let perMille = Int((lossPercent * 10).rounded())
        try await inside(["nft", "add", "table", "inet", "lifeline_loss"])
        for (chain, direction) in [("input", "iifname"), ("output", "oifname")] {
            try await inside([
                "nft", "add", "chain", "inet", "lifeline_loss", chain,
                "{ type filter hook \(chain) priority 0; policy accept; }",
            ])
            try await inside([
                "nft", "add", "rule", "inet", "lifeline_loss", chain,
                direction, boxInterface, "numgen", "random", "mod", "1000", "<", "\(perMille)", "drop",
            ])
        }
        return "nftables loss \(lossPercent) % each way, no delay (this kernel has no netem qdisc)"
    }

    /// Drops every packet on the link until `heal()`, so open connections stall rather than close.
    func partition() async throws {
        guard (try? await inside(["nft", "add", "table", "inet", "lifeline_partition"])) != nil else {
            try await inside(["ip", "link", "set", boxInterface, "down"])
            return
        }
        for (chain, direction) in [("input", "iifname"), ("output", "oifname")] {
            try await inside([
                "nft", "add", "chain", "inet", "lifeline_partition", chain,
                "{ type filter hook \(chain) priority -10; policy accept; }",
            ])
            try await inside(["nft", "add", "rule", "inet", "lifeline_partition", chain, direction, boxInterface, "drop"])
        }
    }

    /// Ends the partition.
    func heal() async throws {
        if (try? await inside(["nft", "delete", "table", "inet", "lifeline_partition"])) == nil {
            try await inside(["ip", "link", "set", boxInterface, "up"])
        }
    }

    /// Deletes the namespace (which removes the veth pair) and the host end if it is left.
    func destroy() async {
        _ = try? await run(["ip", "netns", "delete", name])
        _ = try? await run(["ip", "link", "delete", hostInterface])
    }

    /// Starts `lifeline serve` inside the namespace, logging to `logPath`. `ip netns exec`
    /// replaces itself with the daemon, so the returned process is the daemon for signals.
    func startDaemon(configPath: String, logPath: String) throws -> Process {
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.toolPath("ip"))
        process.arguments = ["netns", "exec", name, LifelineBinary.url.path, "serve", "--config", configPath]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func inside(_ command: [String]) async throws {
        try await run(["ip", "netns", "exec", name] + command)
    }

    private func run(_ command: [String]) async throws {
        let result = try await LifelineBinary.run(
            executable: URL(fileURLWithPath: Self.toolPath(command[0])),
            Array(command.dropFirst()),
            timeout: .seconds(20)
        )
        guard result.status == 0 else {
            throw FailoverPoolTests.WaitFailure(
                description: "\(command.joined(separator: " ")) failed (\(result.status)): \(result.stderr)"
            )
        }
    }

    /// Returns the tool's path in the usual system directories, or the bare name when it is in none.
    private static func toolPath(_ tool: String) -> String {
        for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        return tool
    }
}
