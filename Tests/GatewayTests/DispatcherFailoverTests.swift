import Foundation
import Gateway
import Store
import Testing

/// Each row of the failover table, end to end through the dispatcher.
@Suite struct DispatcherFailoverTests {
    /// An accepted send makes the message `sent` with the provider and its message id.
    @Test func acceptedBecomesSent() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.accepted(providerMessageID: "SM1")])
        let harness = try await DispatchHarness.start(providers: [cloud], policy: testPolicy(["cloud"]))
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)

        let message = try #require(try await harness.store.message(id))
        #expect(message.providerID == "cloud")
        #expect(message.providerMessageID == "SM1")
        #expect(message.attempts == 1)
        let attempts = try await harness.store.attempts(for: id)
        #expect(attempts.map(\.outcome) == [.accepted])
        #expect(attempts.first?.providerMessageID == "SM1")
        let calls = await cloud.calls
        #expect(calls.map(\.attempt) == [1])
        #expect(calls.first?.messageID == id)
        try await harness.finish()
    }

    /// A recipient error fails the message with the reason and tries no other provider.
    @Test func recipientErrorFails() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.recipientError(reason: "invalid number")])
        let smpp = ScriptedProvider(id: "smpp")
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: testPolicy(["cloud", "smpp"]))
        let id = try await harness.submit(.emergency)[0]
        try await harness.waitForState(id, .failed)

        let message = try #require(try await harness.store.message(id))
        #expect(message.lastReason == "invalid number")
        #expect(await smpp.callCount == 0)
        try await harness.finish()
    }

    /// An unavailable provider sends the message to the next one at once.
    @Test func unavailableFailsOver() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.unavailable(reason: "connect refused")])
        let smpp = ScriptedProvider(id: "smpp", script: [.accepted(providerMessageID: "smpp-1")])
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: testPolicy(["cloud", "smpp"]))
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)

        let message = try #require(try await harness.store.message(id))
        #expect(message.providerID == "smpp")
        let attempts = try await harness.store.attempts(for: id)
        #expect(attempts.map(\.providerID) == ["cloud", "smpp"])
        #expect(attempts.map(\.outcome) == [.unavailable, .accepted])
        #expect(await smpp.calls.map(\.attempt) == [2])
        let statuses = await harness.dispatcher.providerStatuses()
        #expect(statuses.first?.breaker == .open(until: harness.clock.now.addingTimeInterval(30)))
        try await harness.finish()
    }

    /// A throttled provider keeps the message waiting for its pause within the max wait, then sends.
    @Test func throttledWaitsThenSends() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.throttled(retryAfter: .seconds(5), reason: "429")])
        let smpp = ScriptedProvider(id: "smpp")
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], maxWait: .seconds(10))
        )
        let start = harness.clock.now
        let id = try await harness.submit(.normal)[0]
        try await eventually("the message waits for the pause to end") {
            harness.clock.sleeperDeadlines.contains(start.addingTimeInterval(5))
        }
        #expect(try await harness.store.message(id)?.state == .sending)
        harness.clock.advance(by: 5)
        try await harness.waitForState(id, .sent)

        #expect(try await harness.store.message(id)?.providerID == "cloud")
        #expect(await cloud.callCount == 2)
        #expect(await smpp.callCount == 0)
        try await harness.finish()
    }

    /// A throttle pause longer than the max wait moves the message to the next provider at once.
    @Test func throttledBeyondMaxWaitMovesOn() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.throttled(retryAfter: .seconds(60), reason: "429")])
        let smpp = ScriptedProvider(id: "smpp")
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], maxWait: .seconds(10))
        )
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)

        #expect(try await harness.store.message(id)?.providerID == "smpp")
        #expect(await cloud.callCount == 1)
        let pausedUntil = await harness.dispatcher.providerStatuses().first?.pausedUntil
        #expect(pausedUntil == harness.clock.now.addingTimeInterval(60))
        try await harness.finish()
    }

    /// Emergency and high fail over after an ambiguous outcome; normal and bulk follow `onAmbiguous`.
    @Test(arguments: [
        (Priority.emergency, PoolPolicy.AmbiguityAction.wait, true),
        (.high, .wait, true),
        (.normal, .wait, false),
        (.bulk, .wait, false),
        (.normal, .failover, true),
        (.bulk, .failover, true),
    ])
    func ambiguousByPriority(priority: Priority, onAmbiguous: PoolPolicy.AmbiguityAction, failsOver: Bool) async throws
    {
        let cloud = ScriptedProvider(id: "cloud", script: [.ambiguous(reason: "timeout after request sent")])
        let smpp = ScriptedProvider(id: "smpp")
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], onAmbiguous: onAmbiguous)
        )
        let id = try await harness.submit(priority)[0]
        try await harness.waitForState(id, failsOver ? .sent : .unknown)
        try await harness.finish()

        let events = try await harness.store.events(for: id)
        #expect(events.contains { $0.state == .unknown && $0.providerID == "cloud" })
        let attempts = try await harness.store.attempts(for: id)
        #expect(attempts.first?.outcome == .ambiguous)
        #expect(await smpp.callCount == (failsOver ? 1 : 0))
        #expect(try await harness.store.message(id)?.state == (failsOver ? .sent : .unknown))
    }

    /// With every provider down the message goes back with `notBefore`, the loop sleeps without
    /// store calls, each round waits for the breakers, and the message expires at `expiresAt`.
    @Test func allDownRequeuesThenExpires() async throws {
        let down: [SendOutcome] = Array(repeating: .unavailable(reason: "no route"), count: 20)
        let cloud = ScriptedProvider(id: "cloud", script: down)
        let smpp = ScriptedProvider(id: "smpp", script: down)
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: testPolicy(["cloud", "smpp"]))
        let start = harness.clock.now
        let expiresAt = start.addingTimeInterval(100)
        let id = try await harness.submit(.normal, expiresAt: expiresAt)[0]

        // First round: both providers fail, both breakers open for 30 s.
        try await eventually("the message is back in the queue") {
            try await harness.store.message(id)?.notBefore != nil
        }
        let first = try #require(try await harness.store.message(id))
        #expect(first.state == .queued)
        #expect(first.notBefore == start.addingTimeInterval(30))
        #expect(first.lastReason?.contains("cloud: no route") == true)
        try await eventually("the loop sleeps until the breakers' cool-down ends") {
            harness.clock.sleeperDeadlines == [start.addingTimeInterval(30)]
        }
        // The finished job rings the loop once more after its last write, so the count is taken
        // after that wake-up has run and the loop is asleep again with no job left.
        for _ in 0..<500 { await Task.yield() }
        try await eventually("the loop is asleep with no job in flight") {
            let idle = await harness.dispatcher.messagesInFlight == 0
            return idle && harness.clock.sleeperDeadlines == [start.addingTimeInterval(30)]
        }
        let callsWhileAsleep = await harness.store.callCount
        for _ in 0..<500 { await Task.yield() }
        #expect(await harness.store.callCount == callsWhileAsleep)
        #expect(await cloud.callCount == 1)

        // Later rounds run only when a cool-down ends; notBefore never passes expiresAt.
        var rounds = 1
        while try await harness.store.message(id)?.state != .expired, rounds < 10 {
            let message = try #require(try await harness.store.message(id))
            let notBefore = try #require(message.notBefore)
            #expect(notBefore <= expiresAt)
            harness.clock.advance(to: notBefore)
            try await eventually("the message is put back or expired") {
                let current = try await harness.store.message(id)
                return current?.state == .expired
                    || (current?.state == .queued && current?.notBefore ?? .distantPast > notBefore)
            }
            rounds += 1
        }
        let final = try #require(try await harness.store.message(id))
        #expect(final.state == .expired)
        #expect(harness.clock.now == expiresAt)
        #expect(final.attempts == 6)
        try await harness.finish()
    }

    /// Once `maxAttempts` is used the message fails with every provider's last reason.
    @Test func maxAttemptsFails() async throws {
        let cloud = ScriptedProvider(id: "cloud", script: [.unavailable(reason: "HTTP 503")])
        let smpp = ScriptedProvider(id: "smpp", script: [.unavailable(reason: "not bound")])
        let harness = try await DispatchHarness.start(
            providers: [cloud, smpp],
            policy: testPolicy(["cloud", "smpp"], maxAttempts: 2)
        )
        let id = try await harness.submit(.high)[0]
        try await harness.waitForState(id, .failed)

        let message = try #require(try await harness.store.message(id))
        #expect(message.lastReason == "every provider failed: cloud: HTTP 503; smpp: not bound")
        #expect(message.attempts == 2)
        try await harness.finish()
    }

    /// Stopping lets a send in flight finish and records it.
    @Test func stopDrainsInFlightSend() async throws {
        let cloud = ScriptedProvider(id: "cloud", holdsSends: true)
        let harness = try await DispatchHarness.start(providers: [cloud], policy: testPolicy(["cloud"]))
        let id = try await harness.submit(.normal)[0]
        try await eventually("the send is in flight") { await cloud.heldCount == 1 }
        let stopping = Task { try await harness.finish() }
        await cloud.releaseAll()
        try await stopping.value
        #expect(try await harness.store.message(id)?.state == .sent)
    }

    /// The dispatcher logs ids at debug and never a full phone number or the text.
    @Test func logsRedacted() async throws {
        let cloud = ScriptedProvider(id: "cloud")
        let harness = try await DispatchHarness.start(providers: [cloud], policy: testPolicy(["cloud"]))
        let id = try await harness.submit(.normal)[0]
        try await harness.waitForState(id, .sent)
        try await harness.finish()

        let records = harness.logs.records
        #expect(
            records.contains {
                $0.metadata["message.id"] == "\(id)" && $0.metadata["provider.id"] == "cloud"
                    && $0.metadata["attempt"] == "1"
            }
        )
        #expect(records.allSatisfy { $0.level <= .debug })
        let lines = records.map { "\($0.message) \($0.metadata)" }
        #expect(!lines.contains { $0.contains("+447700900100") || $0.contains("test 0") })
    }

    /// Stopping puts a message that waits for its provider back in the queue.
    @Test func stopRequeuesWaitingMessage() async throws {
        let cloud = ScriptedProvider(id: "cloud")
        let smpp = ScriptedProvider(id: "smpp")
        var policy = testPolicy(["cloud", "smpp"], maxWait: .seconds(10))
        policy.providers[0].ratePerSecond = 1
        let harness = try await DispatchHarness.start(providers: [cloud, smpp], policy: policy)
        let ids = try await harness.submit(.normal, count: 2)
        try await harness.waitForState(ids[0], .sent)
        try await harness.waitForState(ids[1], .sending)

        try await harness.finish()
        let message = try #require(try await harness.store.message(ids[1]))
        #expect(message.state == .queued)
        #expect(message.notBefore == nil)
        #expect(message.attempts == 0)
        #expect(await harness.dispatcher.messagesInFlight == 0)
    }

    /// Providers and pool policy must match one to one.
    @Test func mismatchedProvidersRejected() async throws {
        let store = InMemoryMessageStore()
        let cases: [([String], [String], DispatcherError)] = [
            (["cloud"], ["cloud", "smpp"], .providerMissing(id: "smpp")),
            (["cloud", "modem"], ["cloud"], .providerNotInPool(id: "modem")),
            (["cloud", "cloud"], ["cloud"], .duplicateProvider(id: "cloud")),
        ]
        for (providerIDs, poolIDs, expected) in cases {
            #expect(throws: expected) {
                _ = try Dispatcher(
                    store: store,
                    providers: providerIDs.map { ScriptedProvider(id: $0) },
                    policy: testPolicy(poolIDs),
                    logger: .disabled
                )
            }
        }
    }
}
