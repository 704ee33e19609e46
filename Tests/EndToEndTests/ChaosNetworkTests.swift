import Foundation
import Simulators
import Store
import Testing

/// A bulk broadcast from a daemon in its own network namespace to the SMSC simulator across a
/// veth link with delay and loss, and a partition window in the middle of the run. The modem
/// simulator is the second provider, rate-limited so that the SMSC link carries most messages. The store must account for every message, and every
/// duplicate must belong to a message in flight at a fault.
///
/// It changes the host's network configuration (a namespace, a veth pair, qdiscs or nftables
/// rules, all removed at the end), so it runs only when `bench/chaos/netem.sh` sets
/// `LIFELINE_NETNS_CHAOS=1`, as root. Settings: `LIFELINE_NETNS_MESSAGES` (default 300),
/// `LIFELINE_NETNS_DELAY_MS` (40), `LIFELINE_NETNS_LOSS_PERCENT` (2),
/// `LIFELINE_NETNS_PARTITION_SECONDS` (15), `LIFELINE_NETNS_MODEM_RATE` (modem messages per
/// second, 2), `LIFELINE_NETNS_REPORT` (a file that receives the figures as one JSON line).
@Suite(.serialized, .timeLimit(.minutes(15)))
struct ChaosNetworkTests {
    /// The figures of one run, as written to the report file.
    struct Figures: Codable {
        var messages: Int
        var linkFaults: String
        var partitionSeconds: Int
        var delivered: Int
        var failedWithReason: Int
        var awaitingReport: Int
        var lost: Int
        var duplicates: Int
        var duplicatesInFlightAtFault: Int
        var ambiguousAttempts: Int
        var carrierCopies: Int
        var modemCopies: Int
        var secondsToDrainAfterPartition: Double
        var secondsTotal: Double
        var settled: Bool
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static func setting(_ name: String, default value: Int) -> Int {
        environment[name].flatMap { Int($0) } ?? value
    }

    /// Every message of the broadcast settles over the faulty link, nothing is lost, and each
    /// duplicate was in flight at a fault.
    @Test(.enabled(if: ChaosNetwork.isRequested, "changes the host's network: run bench/chaos/netem.sh as root"))
    func lossyLinkLosesNothing() async throws {
        let messages = Self.setting("LIFELINE_NETNS_MESSAGES", default: 300)
        let delay = Self.setting("LIFELINE_NETNS_DELAY_MS", default: 40)
        let loss = Double(Self.environment["LIFELINE_NETNS_LOSS_PERCENT"] ?? "") ?? 2
        let partitionSeconds = Self.setting("LIFELINE_NETNS_PARTITION_SECONDS", default: 15)
        let modemRate = Double(Self.environment["LIFELINE_NETNS_MODEM_RATE"] ?? "") ?? 2
        let started = ContinuousClock.now

        let network = try await ChaosNetwork.create()
        let modem = ModemSimulator(profile: .healthy)
        var relay: ChaosRelay?
        var stage: ChaosStage?
        do {
            let modemPath = try modem.start()
            stage = try await ChaosStage.start(smscResponseDelay: .milliseconds(20), network: network) { smscPort in
                let opened = try ChaosRelay(listenAddress: network.hostAddress, targetPort: smscPort)
                relay = opened
                return [.carrier(port: opened.port, host: network.hostAddress), .modem(path: modemPath, perSecond: modemRate)]
            }
            let figures = try await run(
                stage: stage!, network: network, modem: modem, messages: messages,
                delay: delay, loss: loss, partitionSeconds: partitionSeconds, started: started
            )
            if let path = Self.environment["LIFELINE_NETNS_REPORT"] {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try (String(decoding: try encoder.encode(figures), as: UTF8.self) + "\n")
                    .write(toFile: path, atomically: true, encoding: .utf8)
            }
        } catch {
            Issue.record("\(error)\n\(await stage?.daemon.logs().suffix(20_000) ?? "")")
        }
        await stage?.cleanUp()
        relay?.close()
        modem.stop()
        await network.destroy()
    }

    private func run(
        stage: ChaosStage,
        network: ChaosNetwork,
        modem: ModemSimulator,
        messages: Int,
        delay: Int,
        loss: Double,
        partitionSeconds: Int,
        started: ContinuousClock.Instant
    ) async throws -> Figures {
        let linkFaults = try await network.applyLinkFaults(
            delayMilliseconds: delay, jitterMilliseconds: delay / 4, lossPercent: loss
        )
        print("chaos-netns: \(messages) bulk messages, \(linkFaults), partition \(partitionSeconds) s")
        try await stage.daemon.start()
        let file = try stage.writeNumbers(name: "bulk.csv", first: 0, count: messages)
        _ = try await stage.broadcast(file: file.path, text: "Network chaos check", priority: "bulk")

        // The partition starts once a quarter of the messages went out, or after 60 s.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, await progress(stage, modem) < messages / 4 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let partitionStart = Date()
        try await network.partition()
        print("chaos-netns: partition at \(await progress(stage, modem)) copies sent")
        // The window's length is the fault itself, not a wait for an event.
        try await Task.sleep(for: .seconds(partitionSeconds))
        try await network.heal()
        let partitionEnd = Date()
        let healed = ContinuousClock.now

        let drain = try await stage.drain(expected: messages, timeout: .seconds(max(180, messages / 10)))
        let smscCopies = await stage.smscCopies()
        var copies = smscCopies
        for pdu in modem.receivedPDUs {
            if let recipient = ChaosAudit.submitRecipient(pdu) { copies[recipient, default: 0] += 1 }
        }
        let audit = try await ChaosAudit.read(
            databasePath: stage.databasePath,
            expected: messages,
            copiesByRecipient: copies,
            faultTimes: [partitionStart, partitionEnd] + (await stage.daemon.killTimes)
        )
        let ambiguous = try await ambiguousAttempts(databasePath: stage.databasePath)
        print("chaos-netns: drained \(drain.settled), receipts re-sent \(drain.receiptsResent)")
        print("chaos-netns: \(audit.summary)")
        print("chaos-netns: states \(audit.stateCounts.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
        for duplicate in audit.duplicates { print("chaos-netns: duplicate \(duplicate)") }
        for detail in audit.unsettledDetails { print("chaos-netns: unsettled \(detail)") }

        let unexplained = audit.duplicates.filter { !$0.inFlightAtFault }
        #expect(drain.settled, "not every message settled")
        #expect(audit.rows == messages)
        #expect(audit.lost == 0, "lost \(audit.unsettledDetails.prefix(10))")
        #expect(unexplained.isEmpty, "duplicates not in flight at a fault: \(unexplained)")
        return Figures(
            messages: messages,
            linkFaults: linkFaults,
            partitionSeconds: partitionSeconds,
            delivered: audit.delivered,
            failedWithReason: audit.failedWithReason,
            awaitingReport: audit.awaitingReport.count,
            lost: audit.lost,
            duplicates: audit.duplicates.count,
            duplicatesInFlightAtFault: audit.duplicates.filter(\.inFlightAtFault).count,
            ambiguousAttempts: ambiguous,
            carrierCopies: smscCopies.values.reduce(0, +),
            modemCopies: modem.receivedPDUs.count,
            secondsToDrainAfterPartition: ChaosRun.seconds(ContinuousClock.now - healed),
            secondsTotal: ChaosRun.seconds(ContinuousClock.now - started),
            settled: drain.settled
        )
    }

    /// Copies the simulated networks received so far.
    private func progress(_ stage: ChaosStage, _ modem: ModemSimulator) async -> Int {
        modem.receivedPDUs.count + (await stage.smsc.receivedSubmits.count)
    }

    /// Counts the attempts whose outcome was ambiguous: a submit left and no response came.
    private func ambiguousAttempts(databasePath: String) async throws -> Int {
        let store = try await SQLiteStore(path: databasePath, notifiesWakeListener: false)
        var count = 0
        for message in try await store.messages(limit: 1_000_000) {
            count += try await store.attempts(for: message.id).filter { $0.outcome == .ambiguous }.count
        }
        await store.close()
        return count
    }
}
