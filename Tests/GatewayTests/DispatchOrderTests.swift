import Foundation
import Gateway
import Store
import Testing

/// A small deterministic generator (SplitMix64), so a failing seed can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// First attempts follow priority then age, whatever the timing of submissions and sends.
@Suite struct DispatchOrderTests {
    /// For random interleavings of submissions and finished sends, no message's first attempt
    /// comes after that of a lower-ranked message claimed once it was already queued.
    @Test(arguments: 1...12)
    func firstAttemptsHoldOrder(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let cloud = ScriptedProvider(id: "cloud", holdsSends: true)
        let smpp = ScriptedProvider(id: "smpp", holdsSends: true)
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], maxConcurrentSends: 2, maxInFlight: 3)
        )

        var submitted: [MessageID] = []
        for _ in 0..<60 {
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                let priority = Priority.allCases.randomElement(using: &random)!
                let count = Int.random(in: 1...4, using: &random)
                submitted += try await harness.submit(priority, count: count)
            case 1:
                await cloud.releaseOne()
            default:
                await smpp.releaseOne()
            }
            for _ in 0..<Int.random(in: 0..<20, using: &random) { await Task.yield() }
        }
        await cloud.releaseAll()
        await smpp.releaseAll()
        for id in submitted { try await harness.waitForState(id, .sent) }
        try await harness.finish()

        let log = await harness.store.log
        // A message put back while waiting is claimed again: its claim is the last one before its first attempt.
        var enqueuedAt: [MessageID: Int] = [:]
        var lastClaimAt: [MessageID: Int] = [:]
        var claimedAt: [MessageID: Int] = [:]
        var firstAttempts: [MessageID] = []
        for (index, entry) in log.enumerated() {
            switch entry {
            case .enqueued(let id):
                enqueuedAt[id] = index
            case .claimed(let id):
                lastClaimAt[id] = index
            case .attemptBegun(let id, _):
                guard claimedAt[id] == nil else { continue }
                claimedAt[id] = lastClaimAt[id]
                firstAttempts.append(id)
            }
        }
        let claims = firstAttempts.sorted { claimedAt[$0]! < claimedAt[$1]! }
        #expect(firstAttempts == claims)
        #expect(Set(firstAttempts) == Set(submitted))

        var priorityOf: [MessageID: Priority] = [:]
        for id in submitted { priorityOf[id] = try await harness.store.message(id)?.priority }
        func ranksAhead(_ lhs: MessageID, _ rhs: MessageID) -> Bool {
            (priorityOf[lhs]!.rank, lhs) < (priorityOf[rhs]!.rank, rhs)
        }
        for (position, earlier) in firstAttempts.enumerated() {
            for later in firstAttempts[(position + 1)...] where ranksAhead(later, earlier) {
                #expect(
                    enqueuedAt[later]! > claimedAt[earlier]!,
                    "message \(later) was queued before \(earlier) was claimed but went after it"
                )
            }
        }
    }

    /// An emergency message submitted during a large bulk broadcast is the next one handed to a provider.
    @Test func emergencyOvertakesBulk() async throws {
        let modem = ScriptedProvider(id: "modem", holdsSends: true)
        let harness = try await DispatchHarness.start(
            providers: [modem],
            policy: testPolicy(["modem"], maxConcurrentSends: 2, maxInFlight: 2)
        )
        let bulk = try await harness.submit(.bulk, count: 1000)
        try await eventually("two bulk sends in flight") { await modem.heldCount == 2 }
        for round in 1...5 {
            await modem.releaseOne()
            try await eventually("bulk send \(round + 2) in flight") { await modem.callCount == round + 2 }
        }

        let emergency = try await harness.submit(.emergency)[0]
        let handedBefore = await modem.callCount
        await modem.releaseOne()
        try await eventually("the next send is in flight") { await modem.callCount == handedBefore + 1 }
        let calls = await modem.calls
        #expect(calls[handedBefore].messageID == emergency)
        #expect(calls[..<handedBefore].allSatisfy { bulk.contains($0.messageID) })

        await modem.releaseAll()
        try await harness.waitForState(emergency, .sent)
        try await harness.finish()
    }

    /// A bulk message waiting for its first provider's rate budget goes back to the queue when an
    /// emergency message arrives, and the emergency message takes the next token.
    @Test func emergencyOvertakesRateWait() async throws {
        let cloud = ScriptedProvider(id: "cloud")
        let smpp = ScriptedProvider(id: "smpp")
        var policy = testPolicy(["cloud", "smpp"], maxWait: .seconds(10))
        policy.providers[0].ratePerSecond = 1
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: policy)
        let start = harness.clock.now
        let bulk = try await harness.submit(.bulk, count: 3)
        try await harness.waitForState(bulk[0], .sent)
        try await harness.waitForState(bulk[1], .sending)
        try await eventually("the second bulk message waits for the next token") {
            harness.clock.sleeperDeadlines.contains(start.addingTimeInterval(1))
        }

        let emergency = try await harness.submit(.emergency)[0]
        try await eventually("the emergency message waits for the next token") {
            try await harness.store.message(emergency)?.state == .sending
        }
        #expect(try await harness.store.message(bulk[1])?.state == .queued)
        for second in 1...3 {
            try await eventually("a message waits for token \(second)") {
                harness.clock.sleeperDeadlines.contains(start.addingTimeInterval(TimeInterval(second)))
            }
            harness.clock.advance(to: start.addingTimeInterval(TimeInterval(second)))
            try await eventually("send \(second + 1) made") { await cloud.callCount == second + 1 }
        }
        let order = await cloud.calls.map(\.messageID)
        #expect(order == [bulk[0], emergency, bulk[1], bulk[2]])
        #expect(await smpp.callCount == 0)
        try await harness.finish()
    }
}

/// A dispatcher's start and stop.
@Suite struct DispatcherLifecycleTests {
    /// A dispatcher stopped before it runs returns from `run()` at once without claiming, and a
    /// second `run()` is rejected.
    @Test func stopBeforeRunReturns() async throws {
        let store = InMemoryMessageStore()
        let modem = ScriptedProvider(id: "modem")
        let dispatcher = try Dispatcher(
            store: store,
            providers: [modem],
            policy: testPolicy(["modem"]),
            clock: ManualClock(),
            logger: .disabled
        )
        _ = try await store.enqueue([Submission(recipient: "+447700900100", text: "test")], now: Date())
        await dispatcher.stop()
        try await dispatcher.run()
        #expect(await modem.callCount == 0)
        #expect(try await store.message(1)?.state == .queued)
        await #expect(throws: DispatcherError.notRestartable) {
            try await dispatcher.run()
        }
    }
}
