import Foundation
import Simulators
import Store
import Testing

/// A mixed-priority broadcast through a pool of a cloud endpoint, the SMSC simulator and the
/// modem simulator, while seeded faults hit each of them and the daemon. The store must account
/// for every message, and every duplicate must belong to a message in flight at a fault.
///
/// `swift test` runs a short pass. `bench/chaos/run.sh` runs longer ones through the same code with
/// `LIFELINE_CHAOS_SEEDS` (comma-separated), `LIFELINE_CHAOS_MESSAGES` and `LIFELINE_CHAOS_REPORT`
/// (a file that receives one JSON line of figures per seed).
@Suite(.serialized, .timeLimit(.minutes(30)))
struct ChaosTests {
    /// The figures of one seeded run, as written to the report file.
    struct Figures: Codable {
        var seed: UInt64
        var submitted: Int
        var delivered: Int
        var failedWithReason: Int
        var awaitingReport: Int
        var lost: Int
        var duplicates: Int
        var duplicatesInFlightAtFault: Int
        var faultsFired: [String]
        /// The step of the daemon's wall clock in seconds, when `clock-jump` fired.
        var clockStepSeconds: Int?
        /// Whether the daemon logged the full disk while it was full, when `disk-full` fired.
        var diskFullLogged: Bool?
        var blackHoleConnections: Int
        var secondsToDrainAfterLastFault: Double
        var secondsTotal: Double
        var settled: Bool
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var seeds: [UInt64] {
        environment["LIFELINE_CHAOS_SEEDS"].map { $0.split(separator: ",").compactMap { UInt64($0) } } ?? [7, 8]
    }
    static var messageCount: Int { environment["LIFELINE_CHAOS_MESSAGES"].flatMap { Int($0) } ?? 240 }

    /// Every seed's run loses nothing and explains every duplicate, and each fault class fires.
    @Test func seededFaultsLoseNothing() async throws {
        // A missing libfaketime fails the test here, naming the package.
        let clockProblem = try await ChaosClock.usability()
        if let clockProblem {
            withKnownIssue("the daemon cannot run under libfaketime") { Issue.record(Comment(rawValue: clockProblem)) }
        }
        var fired: Set<ChaosFault> = []
        var steps: Set<Int> = []
        for seed in Self.seeds {
            let figures = try await run(seed: seed, stepsClock: clockProblem == nil)
            fired.formUnion(figures.faultsFired.compactMap(ChaosFault.init(rawValue:)))
            if let step = figures.clockStepSeconds { steps.insert(step) }
            if let path = Self.environment["LIFELINE_CHAOS_REPORT"] {
                try append(figures, to: path)
            }
        }
        print("chaos: fault classes fired: \(fired.map(\.rawValue).sorted()), clock steps: \(steps.sorted())")
        for fault in ChaosFault.allCases where fault != .clockJump || clockProblem == nil {
            #expect(fired.contains(fault), "fault \(fault.rawValue) never fired")
        }
    }

    /// With the first provider a black hole whose breaker is open, messages go to the healthy
    /// second provider at once instead of waiting for the breaker's cool-down one by one.
    @Test func openBreakerIsSkipped() async throws {
        let cloudPort = try unusedLoopbackPort()
        let blackHole = try ChaosBlackHole(port: cloudPort)
        defer { blackHole.close() }
        let stage = try await ChaosStage.start(smscResponseDelay: .zero) { [.cloud(port: cloudPort), .carrier(port: $0)] }
        do {
            try await stage.daemon.start()
            let file = try stage.writeNumbers(name: "normal.csv", first: 0, count: 40)
            _ = try await stage.broadcast(file: file.path, text: "Breaker check", priority: "normal")
            let drain = try await stage.drain(expected: 40, timeout: .seconds(30))
            let audit = try await ChaosAudit.read(
                databasePath: stage.databasePath, expected: 40, copiesByRecipient: await stage.smscCopies(), faultTimes: []
            )
            print("chaos: open breaker: \(audit.summary), black-hole connections \(blackHole.connectionCount)")
            #expect(drain.settled, "40 messages did not settle in 30 s with a healthy second provider: \(audit.stateCounts)")
            #expect(audit.delivered == 40)
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.cleanUp()
    }

    /// Runs one seed. Without `stepsClock` the daemon runs without libfaketime and `clock-jump` is
    /// left out of the schedule.
    private func run(seed: UInt64, stepsClock: Bool) async throws -> Figures {
        var random = ChaosRandom(seed: seed)
        print("chaos: seed \(seed), \(Self.messageCount) messages")
        let modem = try ChaosModem()
        let disk: ChaosDisk
        do {
            disk = try ChaosDisk()
        } catch {
            modem.stop()
            throw error
        }
        let cloudPort = try unusedLoopbackPort()
        let stage: ChaosStage
        let clock: ChaosClock?
        do {
            // Rate limits stretch the flow over the fault schedule: unthrottled, the simulators
            // take a short pass's messages before the first fault.
            stage = try await ChaosStage.start(smscResponseDelay: .milliseconds(20), databaseDirectory: disk.path) { smscPort in
                [.cloud(port: cloudPort), .carrier(port: smscPort, perSecond: 40), .modem(path: modem.path, perSecond: 10)]
            }
        } catch {
            modem.stop()
            disk.remove()
            throw error
        }
        do {
            clock = stepsClock ? try ChaosClock(directory: stage.directory) : nil
        } catch {
            await stage.cleanUp()
            modem.stop()
            disk.remove()
            throw error
        }
        if let clock { await stage.daemon.use(environment: clock.environment) }
        var run = ChaosRun(stage: stage, modem: modem, disk: disk, clock: clock, cloudPort: cloudPort)
        let figures: Figures
        do {
            figures = try await run.execute(seed: seed, messageCount: Self.messageCount, random: &random)
        } catch {
            Issue.record("seed \(seed): \(error)\n\(await stage.daemon.logs().suffix(20_000))")
            figures = Figures(
                seed: seed, submitted: Self.messageCount, delivered: 0, failedWithReason: 0, awaitingReport: 0,
                lost: Self.messageCount, duplicates: 0, duplicatesInFlightAtFault: 0,
                faultsFired: run.fired.map(\.rawValue), clockStepSeconds: run.clockStep?.seconds,
                diskFullLogged: run.diskFullLogged, blackHoleConnections: 0,
                secondsToDrainAfterLastFault: 0, secondsTotal: 0, settled: false
            )
        }
        run.blackHole?.close()
        try? run.endLastingFaults()
        await stage.cleanUp()
        if ProcessInfo.processInfo.environment["LIFELINE_CHAOS_KEEP"] != nil { disk.copyContents(to: stage.directory) }
        disk.remove()
        modem.stop()
        return figures
    }

    private func append(_ figures: Figures, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(figures)
        line.append(UInt8(ascii: "\n"))
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.close()
    }
}

/// One seeded run: the broadcasts, the fault schedule, the drain and the audit.
struct ChaosRun {
    /// The maximum wait for progress before the next fault fires anyway.
    static let stepTimeout: Duration = .seconds(5)
    /// The maximum wait for the daemon to notice a full disk.
    static let diskFullTimeout: Duration = .seconds(15)
    /// How far `clock-jump` steps the daemon's wall clock: forward, or back for odd seeds with
    /// `LIFELINE_CHAOS_CLOCK_BACK=1`.
    /// Forward is the default because libfaketime 0.9.10 also moves absolute timers on the
    /// monotonic clock (`timerfd_settime`) by its offset: after a step back every timer the daemon
    /// sets waits the size of the step longer, which a real step of the wall clock does not do.
    static let clockStepSeconds = 3600

    let stage: ChaosStage
    let modem: ChaosModem
    let disk: ChaosDisk
    /// The daemon's stepped clock; `nil` leaves `clock-jump` out of the schedule.
    let clock: ChaosClock?
    let cloudPort: UInt16
    var blackHole: ChaosBlackHole?
    var fired: [ChaosFault] = []
    private(set) var clockStep: ChaosClock.Step?
    private(set) var diskFullLogged: Bool?
    private var faultTimes: [Date] = []
    private var refusing = false
    private var diskFull = false

    init(stage: ChaosStage, modem: ChaosModem, disk: ChaosDisk, clock: ChaosClock?, cloudPort: UInt16) {
        self.stage = stage
        self.modem = modem
        self.disk = disk
        self.clock = clock
        self.cloudPort = cloudPort
    }

    mutating func execute(seed: UInt64, messageCount: Int, random: inout ChaosRandom) async throws -> ChaosTests.Figures {
        let started = ContinuousClock.now
        // Bulk, normal and high shares of the recipients, each its own broadcast, queued before
        // the daemon starts so that the faults' progress points fall while messages flow.
        let shares = [("bulk", messageCount / 2), ("normal", messageCount / 3)]
        var first = 0
        for (priority, count) in shares + [("high", messageCount - shares.map(\.1).reduce(0, +))] {
            let file = try stage.writeNumbers(name: "\(priority).csv", first: first, count: count)
            _ = try await stage.broadcast(file: file.path, text: "Chaos check \(priority)", priority: priority)
            first += count
        }
        try await stage.daemon.start()

        var schedule = ChaosFault.allCases.filter { $0 != .clockJump || clock != nil } + [.daemonKill]
        schedule.shuffle(using: &random)
        print("chaos: seed \(seed) schedule \(schedule.map(\.rawValue))")
        for fault in schedule {
            // Ten faults at these steps land within the first half of the copies or so, while
            // messages are still flowing.
            let target = await progress() + Int.random(in: (messageCount / 40)...(messageCount / 16), using: &random)
            await waitForProgress(target)
            try endLastingFaults()
            if refusing {
                try await stage.smsc.acceptConnections()
                refusing = false
            }
            try await inject(fault, seed: seed, random: &random)
        }
        try endLastingFaults()
        if refusing {
            try await stage.smsc.acceptConnections()
            refusing = false
        }
        let lastFault = ContinuousClock.now

        // A modem hung in the middle of AT+CMGS is declared lost only when the send times out
        // (60 s by default), and its recovery starts after that, so the drain must outlast it.
        let drain = try await stage.drain(
            expected: messageCount, timeout: .seconds(max(120, messageCount / 20)), clockStep: clockStep
        )
        var copies = await stage.smscCopies()
        for pdu in modem.receivedPDUs {
            if let recipient = ChaosAudit.submitRecipient(pdu) { copies[recipient, default: 0] += 1 }
        }
        let audit = try await ChaosAudit.read(
            databasePath: stage.databasePath,
            expected: messageCount,
            copiesByRecipient: copies,
            faultTimes: faultTimes + (await stage.daemon.killTimes),
            clockStep: clockStep
        )
        let drainSeconds = Self.seconds(ContinuousClock.now - lastFault)
        print("chaos: seed \(seed) fired \(fired.map(\.rawValue)), drained \(drain.settled) \(drainSeconds) s after the last fault, receipts re-sent \(drain.receiptsResent)")
        print("chaos: seed \(seed) \(audit.summary)")
        print("chaos: seed \(seed) states \(audit.stateCounts.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
        for duplicate in audit.duplicates { print("chaos: seed \(seed) duplicate \(duplicate)") }
        for detail in audit.unsettledDetails { print("chaos: seed \(seed) unsettled \(detail)") }

        let unexplained = audit.duplicates.filter { !$0.inFlightAtFault }
        #expect(drain.settled, "seed \(seed): not every message settled")
        #expect(audit.rows == messageCount, "seed \(seed)")
        #expect(audit.lost == 0, "seed \(seed): lost \(audit.unsettledDetails.prefix(10))")
        #expect(unexplained.isEmpty, "seed \(seed): duplicates not in flight at a fault: \(unexplained)")
        let unexplainedWaits = audit.awaitingReport.filter { !$0.inFlightAtFault }.map(\.id)
        #expect(unexplainedWaits.isEmpty, "seed \(seed): accepted, no report, not in flight at a fault: \(unexplainedWaits)")

        return ChaosTests.Figures(
            seed: seed,
            submitted: messageCount,
            delivered: audit.delivered,
            failedWithReason: audit.failedWithReason,
            awaitingReport: audit.awaitingReport.count,
            lost: audit.lost,
            duplicates: audit.duplicates.count,
            duplicatesInFlightAtFault: audit.duplicates.filter(\.inFlightAtFault).count,
            faultsFired: fired.map(\.rawValue),
            clockStepSeconds: clockStep?.seconds,
            diskFullLogged: diskFullLogged,
            blackHoleConnections: blackHole?.connectionCount ?? 0,
            secondsToDrainAfterLastFault: drainSeconds,
            secondsTotal: Self.seconds(ContinuousClock.now - started),
            settled: drain.settled
        )
    }

    /// Copies the simulated networks received so far.
    private func progress() async -> Int {
        modem.receivedPDUs.count + (await stage.smscSubmitCount())
    }

    /// Re-reads the progress every 100 ms until it reaches `target`, for at most `stepTimeout`.
    private func waitForProgress(_ target: Int) async {
        let deadline = ContinuousClock.now + Self.stepTimeout
        while ContinuousClock.now < deadline {
            if await progress() >= target { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Ends a fault that lasts until the next one: frees the full disk.
    mutating func endLastingFaults() throws {
        guard diskFull else { return }
        try disk.free()
        diskFull = false
        faultTimes.append(Date())
    }

    private mutating func inject(_ fault: ChaosFault, seed: UInt64, random: inout ChaosRandom) async throws {
        switch fault {
        case .daemonKill:
            await stage.daemon.kill()
            try await stage.daemon.start()
        case .smscDrop:
            await stage.smsc.dropConnections()
        case .smscRefuse:
            await stage.smsc.refuseConnections()
            await stage.smsc.dropConnections()
            refusing = true
        case .smscRestart:
            faultTimes.append(Date())
            try await stage.restartSMSC(outage: .milliseconds(Int.random(in: 200...2000, using: &random)))
        case .modemHang:
            modem.hang()
        case .modemReopen:
            faultTimes.append(Date())
            try await modem.reenumerate(outage: .milliseconds(Int.random(in: 500...3000, using: &random)))
        case .cloudBlackHole:
            blackHole = try ChaosBlackHole(port: cloudPort)
        case .diskFull:
            let bytes = try disk.fill()
            diskFull = true
            faultTimes.append(Date())
            // The daemon notices only when a write needs a new block (SQLite reuses the space of
            // its log), so the disk stays full until the daemon has logged it, for at most 15 s.
            diskFullLogged = await stage.daemon.waitForLog("is full", timeout: Self.diskFullTimeout)
            print("chaos: disk full after \(bytes) filler bytes, logged by the daemon: \(diskFullLogged == true)")
        case .clockJump:
            guard let clock else { return }
            let back = ChaosTests.environment["LIFELINE_CHAOS_CLOCK_BACK"] == "1" && !seed.isMultiple(of: 2)
            let seconds = back ? -Self.clockStepSeconds : Self.clockStepSeconds
            let step = try clock.step(by: seconds)
            clockStep = step
            faultTimes.append(step.at)
            try await clock.waitForDaemon(databasePath: stage.databasePath, step: step)
            print("chaos: daemon clock stepped by \(seconds) s")
        }
        if fault != .daemonKill { faultTimes.append(Date()) }
        fired.append(fault)
        print("chaos: injected \(fault.rawValue) at \(await progress()) copies")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
