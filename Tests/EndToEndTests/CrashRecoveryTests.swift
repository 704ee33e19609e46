import Foundation
import Simulators
import Store
import Testing

/// The daemon binary queues a 2,000-message bulk broadcast through an SMPP link with slow
/// responses and is killed with SIGKILL at seeded points, then started again each time. The
/// store must account for every message, and any recipient with two copies must have had its
/// message in flight at a kill.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct CrashRecoveryTests {
    static let messageCount = 2_000
    static let killCount = 4

    /// The generator's start value: `LIFELINE_CRASH_SEED` when set, else a fixed value, so CI runs repeat.
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["LIFELINE_CRASH_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0001
    }

    /// After four kills and restarts every message is delivered or failed with a reason, none is
    /// missing, and every duplicate belongs to a message in flight at a kill.
    @Test func killedMidBroadcast() async throws {
        var random = ChaosRandom(seed: Self.seed)
        print("crash recovery: seed \(Self.seed)")
        let stage = try await ChaosStage.start(smscResponseDelay: .milliseconds(30)) { [.carrier(port: $0)] }
        do {
            try await run(stage, random: &random)
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.cleanUp()
    }

    /// A bulk message claimed and waiting for a rate-limited first provider (the modem behind it
    /// keeps the pool usable) when the daemon is killed is sent after the restart, instead of
    /// staying `sending` until its claim lease runs out.
    @Test func claimedMessageResumesAfterKill() async throws {
        let modem = ModemSimulator(profile: .healthy)
        let modemPath = try modem.start()
        defer { modem.stop() }
        let stage = try await ChaosStage.start(smscResponseDelay: .zero) {
            [.carrier(port: $0, perSecond: 0.02), .modem(path: modemPath)]
        }
        do {
            try await stage.daemon.start()
            #expect(await stage.smsc.waitForBinds(count: 1, timeout: .seconds(20)))
            // The modem takes messages until the carrier's breaker closes after the start-up probe.
            // So send one at a time until the carrier has taken one and spent its only token.
            var first: MessageID?
            for index in 0..<20 where first == nil {
                let id = try await stage.send(to: String(format: "+4477009003%02d", index), priority: "bulk")
                _ = try await stage.waitForState(id, in: [.sent, .delivered, .failed], timeout: .seconds(20))
                if await !stage.smsc.receivedSubmits.isEmpty {
                    first = id
                } else {
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            try #require(first != nil, "the carrier never took a message")
            let second = try await stage.send(to: "+447700900202", priority: "bulk")
            let waiting = try await stage.waitForState(second, in: [.sending, .sent, .delivered], timeout: .seconds(20))
            #expect(waiting == .sending, "the second message never waited for the rate-limited provider")
            await stage.daemon.kill()
            try await stage.daemon.start()

            let resumed = try await stage.waitForState(second, in: [.sent, .delivered], timeout: .seconds(30))
            let logs = await stage.daemon.logs().suffix(20_000)
            #expect(
                resumed == .sent || resumed == .delivered,
                "message \(second) is still \(resumed.rawValue) 30 s after the restart (message \(first ?? 0) went first)\n\(logs)"
            )
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.cleanUp()
    }

    /// A second daemon started on the same database file while the first has a send in flight
    /// exits with an error naming the wake-up socket, before it recovers anything. The first
    /// daemon's attempt stays its own: it ends accepted, not ambiguous, and the message is sent once.
    @Test func secondDaemonLeavesClaimsAlone() async throws {
        let stage = try await ChaosStage.start(smscResponseDelay: .seconds(2)) { [.carrier(port: $0)] }
        do {
            try await stage.daemon.start()
            #expect(await stage.smsc.waitForBinds(count: 1, timeout: .seconds(20)))
            let id = try await stage.send(to: "+447700900401", priority: "bulk")
            let limit = ContinuousClock.now + .seconds(20)
            while await stage.smsc.receivedSubmits.isEmpty, ContinuousClock.now < limit {
                try await Task.sleep(for: .milliseconds(20))
            }
            try #require(await !stage.smsc.receivedSubmits.isEmpty, "the first daemon never sent the message")

            let second = try await LifelineBinary.run(["serve", "--config", stage.configPath], timeout: .seconds(30))
            #expect(second.status != 0, "a second daemon on the same file kept running")
            #expect((second.stdout + second.stderr).contains("Another daemon already listens"), "\(second.stdout)\n\(second.stderr)")

            let final = try await stage.waitForState(id, in: [.sent, .delivered], timeout: .seconds(30))
            #expect(final == .sent || final == .delivered)
            let store = try await SQLiteStore(path: stage.databasePath, notifiesWakeListener: false)
            let outcomes = try await store.attempts(for: id).map(\.outcome)
            let states = try await store.events(for: id).map(\.state)
            await store.close()
            #expect(outcomes == [.accepted])
            #expect(!states.contains(.unknown), "the second daemon recovered the first one's attempt: \(states)")
            #expect(await stage.smsc.receivedSubmits.count == 1)
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.cleanUp()
    }

    /// A bulk message whose SMPP attempt turned ambiguous, killed while it waits as `unknown` for
    /// the rate-limited modem, goes back to the queue after the restart instead of staying `unknown`.
    @Test func unknownMessageRequeuedAfterKill() async throws {
        let modem = ModemSimulator(profile: .healthy)
        let modemPath = try modem.start()
        defer { modem.stop() }
        let stage = try await ChaosStage.start(smscResponseDelay: .zero) {
            [.carrier(port: $0), .modem(path: modemPath, perSecond: 0.02)]
        }
        do {
            try await stage.daemon.start()
            #expect(await stage.smsc.waitForBinds(count: 1, timeout: .seconds(20)))
            #expect(await stage.daemon.waitForLog("Modem ready", timeout: .seconds(20)))
            await stage.smsc.setAnswersSubmits(false)
            let file = try stage.writeNumbers(name: "pair.csv", first: 300, count: 2)
            _ = try await stage.broadcast(file: file.path, text: "Ambiguous pair", priority: "bulk")

            // Both submits go unanswered; one message takes the modem's only token, the other waits as unknown.
            var waiting: MessageID?
            for id: MessageID in [1, 2] {
                let state = try await stage.waitForState(id, in: [.sent, .delivered], timeout: .seconds(20))
                if state == .unknown { waiting = id }
            }
            let stranded = try #require(waiting, "neither message waited as unknown for the modem")
            await stage.daemon.kill()
            await stage.smsc.setAnswersSubmits(true)
            try await stage.daemon.start()

            let resumed = try await stage.waitForState(
                stranded,
                in: [.queued, .sending, .sent, .delivered, .failed],
                timeout: .seconds(30)
            )
            #expect(resumed != .unknown, "message \(stranded) is still unknown 30 s after the restart")
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.cleanUp()
    }

    /// Submits in the SMSC's window when the daemon is SIGKILLed lose their `submit_sm_resp`, so
    /// the restarted daemon finds their attempts ambiguous. Their receipts, held by the SMSC
    /// until the daemon binds again, match those attempts by handset and text, and every message
    /// ends `delivered`, sent once.
    @Test func lateReceiptsResolveAmbiguousSubmits() async throws {
        let count = 5
        let stage = try await ChaosStage.start(smscResponseDelay: .seconds(2)) { [.carrier(port: $0)] }
        do {
            try await stage.daemon.start()
            #expect(await stage.smsc.waitForBinds(count: 1, timeout: .seconds(20)))
            let numbers = try stage.writeNumbers(name: "window.csv", first: 500, count: count)
            _ = try await stage.broadcast(file: numbers.path, text: "Gates close at noon today", priority: "bulk")
            try #require(await stage.smsc.waitForSubmits(count: count, timeout: .seconds(20)), "the submits never arrived")
            await stage.daemon.kill()
            try await stage.daemon.start()

            var states: [MessageID: MessageState] = [:]
            for id in MessageID(1)...MessageID(count) {
                states[id] = try await stage.waitForState(id, in: [.delivered], timeout: .seconds(30))
            }
            let store = try await SQLiteStore(path: stage.databasePath, notifiesWakeListener: false)
            var adoptions = 0
            for id in states.keys {
                let events = try await store.events(for: id)
                if events.contains(where: { $0.state == .delivered && $0.reason?.hasPrefix("receipt matched") == true }) {
                    adoptions += 1
                }
            }
            await store.close()
            let copies = await stage.smscCopies()
            let logs = await stage.daemon.logs().suffix(20_000)
            #expect(states.values.allSatisfy { $0 == .delivered }, "\(states)\n\(logs)")
            #expect(adoptions == count, "\(adoptions) of \(count) delivered through an adopted receipt")
            #expect(copies.count == count, "copies per recipient: \(copies)")
            #expect(copies.values.allSatisfy { $0 == 1 }, "copies per recipient: \(copies)")
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.cleanUp()
    }

    private func run(_ stage: ChaosStage, random: inout ChaosRandom) async throws {
        let numbers = try stage.writeNumbers(name: "numbers.csv", first: 0, count: Self.messageCount)
        try await stage.daemon.start()
        _ = try await stage.broadcast(file: numbers.path, text: "Site closed today: work from home", priority: "bulk")

        // Kill when the SMSC has seen a seeded number of submits, spread over the broadcast.
        let slice = Self.messageCount * 8 / 10 / Self.killCount
        let thresholds = (0..<Self.killCount).map { index in 50 + index * slice + Int.random(in: 0..<slice, using: &random) }
        print("crash recovery: kill after submits \(thresholds)")
        var kills = 0
        for threshold in thresholds {
            guard await stage.smsc.waitForSubmits(count: threshold, timeout: .seconds(30)) else {
                let logs = await stage.daemon.logs().suffix(20_000)
                Issue.record("the SMSC never received \(threshold) submits; daemon running: \(await stage.daemon.isRunning)\n\(logs)")
                break
            }
            await stage.daemon.kill()
            kills += 1
            try await stage.daemon.start()
        }

        let drain = try await stage.drain(expected: Self.messageCount, timeout: .seconds(60))
        let audit = try await ChaosAudit.read(
            databasePath: stage.databasePath,
            expected: Self.messageCount,
            copiesByRecipient: await stage.smscCopies(),
            faultTimes: await stage.daemon.killTimes
        )
        print("crash recovery: seed \(Self.seed), kills \(kills), drained \(drain.settled) in \(drain.elapsed), receipts re-sent \(drain.receiptsResent)")
        print("crash recovery: \(audit.summary)")
        print("crash recovery: states \(audit.stateCounts.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
        for duplicate in audit.duplicates { print("crash recovery: duplicate \(duplicate)") }
        for detail in audit.unsettledDetails { print("crash recovery: unsettled \(detail)") }
        print("crash recovery: kill times \(await stage.daemon.killTimes)")

        #expect(kills == Self.killCount)
        #expect(drain.settled, "not every message settled; states \(audit.stateCounts)")
        #expect(audit.rows == Self.messageCount)
        #expect(audit.lost == 0, "lost: \(audit.unsettled.prefix(20)) failed without reason: \(audit.failedWithoutReason.prefix(20))")
        #expect(audit.awaitingReport.isEmpty, "accepted, no report: \(audit.awaitingReport.prefix(20).map(\.id))")
        #expect(audit.delivered + audit.failedWithReason == Self.messageCount)
        let unexplained = audit.duplicates.filter { !$0.inFlightAtFault }
        #expect(unexplained.isEmpty, "duplicates not in flight at a kill: \(unexplained)")
    }
}
