import Foundation
import Testing

@testable import Store

@Suite struct ClaimTests {
    /// Claims take the lowest priority rank first, then the oldest message.
    @Test func claimsByPriorityThenAge() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue(
                [submission(1, .bulk), submission(2, .normal), submission(3, .emergency), submission(4, .bulk),
                 submission(5, .high), submission(6, .emergency)],
                now: epoch
            )
            var claimed: [MessageID] = []
            while let message = try await store.claimNext(now: at(1), lease: 60) {
                #expect(message.state == .sending)
                claimed.append(message.id)
            }
            #expect(claimed == [ids[2], ids[5], ids[4], ids[1], ids[0], ids[3]])
        }
    }

    /// Under random interleavings of enqueues and claims, every claim returns the queued message
    /// with the lowest (rank, id), as a model of the queue predicts.
    @Test(arguments: [1, 7, 42, 2026] as [UInt64])
    func claimOrderMatchesModel(seed: UInt64) async throws {
        try await withStore { store, _ in
            var generator = SeededGenerator(seed: seed)
            var model: [(rank: Int, id: MessageID)] = []
            var number = 0
            for step in 0..<150 {
                if Bool.random(using: &generator) || model.isEmpty {
                    let batch = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                        number += 1
                        return submission(number, Priority.allCases.randomElement(using: &generator)!)
                    }
                    let ids = try await store.enqueue(batch, now: at(Double(step)))
                    for (submission, id) in zip(batch, ids) {
                        model.append((submission.priority.rank, id))
                    }
                } else {
                    let expected = model.min { ($0.rank, $0.id) < ($1.rank, $1.id) }!
                    let claimed = try await store.claimNext(now: at(Double(step)), lease: 3_600)
                    #expect(claimed?.id == expected.id, "seed \(seed), step \(step)")
                    model.removeAll { $0.id == expected.id }
                }
            }
        }
    }

    /// A claim on an empty queue returns nil and commits no change to the file.
    @Test func emptyClaimWritesNothing() async throws {
        try await withStore { store, path in
            let observer = try SQLiteConnection(path: path)
            let before = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }
            #expect(try await store.claimNext(now: epoch, lease: 60) == nil)
            let after = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }
            #expect(before == after)

            // The observer does see a real commit, so the check above can fail.
            _ = try await store.enqueue([submission(1)], now: epoch)
            let changed = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }
            #expect(changed != after)
        }
    }

    /// A claimed message is not claimed again while its lease runs, and is claimable again after,
    /// with the lease expiry recorded as an event and the open attempt marked ambiguous.
    @Test func expiredLeaseMakesMessageClaimable() async throws {
        try await withStore { store, _ in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            #expect(try await store.claimNext(now: at(1), lease: 30)?.id == id)
            let attempt = try await store.beginAttempt(messageID: id, providerID: "modem-1", now: at(2))
            #expect(try await store.claimNext(now: at(30), lease: 30) == nil)

            let again = try await store.claimNext(now: at(32), lease: 30)
            #expect(again?.id == id)
            #expect(again?.state == .sending)
            let events = try await store.events(for: id).map(\.state)
            #expect(events == [.queued, .sending, .queued, .sending])
            let reasons = try await store.events(for: id).compactMap(\.reason)
            #expect(reasons == [SQLiteStore.leaseExpiredReason])
            let attempts = try await store.attempts(for: id)
            #expect(attempts.map(\.id) == [attempt])
            #expect(attempts.first?.outcome == .ambiguous)
        }
    }

    /// A lease that runs out after the provider accepted the message moves it to sent, not back to
    /// the queue, so it is not sent twice.
    @Test func expiredLeaseAfterAcceptMarksSent() async throws {
        try await withStore { store, _ in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 30)
            let attempt = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(2))
            try await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: "S9", detail: nil, now: at(3))

            #expect(try await store.claimNext(now: at(40), lease: 30) == nil)
            let message = try #require(try await store.message(id))
            #expect(message.state == .sent)
            #expect(message.providerMessageID == "S9")
            #expect(message.lastReason == SQLiteStore.leaseExpiredAfterAcceptReason)
        }
    }

    /// An accepted attempt from an earlier route does not count when the re-routed claim's lease runs out.
    @Test func expiredLeaseIgnoresEarlierRoute() async throws {
        try await withStore { store, _ in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 30)
            let attempt = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(2))
            try await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: "S9", detail: nil, now: at(3))
            try await store.transition(id, Transition(to: .sent, providerID: "smpp"), now: at(3))
            try await store.transition(id, Transition(to: .queued, reason: "undelivered, re-routing"), now: at(10))
            #expect(try await store.claimNext(now: at(11), lease: 30)?.id == id)

            #expect(try await store.claimNext(now: at(50), lease: 30)?.id == id)
            #expect(try await store.events(for: id).compactMap(\.reason).last == SQLiteStore.leaseExpiredReason)
        }
    }

    /// A message sent back to the queue with a notBefore is not claimed before that time, and
    /// nextWakeDate names it.
    @Test func notBeforeDelaysClaimAndSetsWakeDate() async throws {
        try await withStore { store, _ in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 60)
            try await store.transition(id, Transition(to: .queued, reason: "throttled", notBefore: at(100)), now: at(2))

            #expect(try await store.claimNext(now: at(50), lease: 60) == nil)
            #expect(try await store.nextWakeDate(now: at(50)) == at(100))
            #expect(try await store.claimNext(now: at(100), lease: 60)?.id == id)
            // The lease ends at 160 s; the message is claimable one millisecond later.
            let leaseEnd = try #require(try await store.nextWakeDate(now: at(101)))
            #expect(SQLiteValue.milliseconds(leaseEnd) == SQLiteValue.milliseconds(at(160)) + 1)
        }
    }

    /// Releasing back-offs makes a waiting message claimable at once and leaves others alone.
    @Test func releaseBackoffsMakesWaitingClaimable() async throws {
        try await withStore { store, _ in
            let waiting = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 60)
            try await store.transition(waiting, Transition(to: .queued, reason: "no provider", notBefore: at(100)), now: at(2))
            _ = try await store.enqueue([submission(2)], now: at(3))

            let released = try await store.releaseBackoffs(now: at(4))
            #expect(released == 1)
            #expect(try await store.claimNext(now: at(5), lease: 60)?.id == waiting)
            #expect(try await store.nextWakeDate(now: at(5)) != at(100))
        }
    }

    /// nextWakeDate is nil when nothing waits for a time.
    @Test func nextWakeDateWithoutWaitingMessages() async throws {
        try await withStore { store, _ in
            #expect(try await store.nextWakeDate(now: epoch) == nil)
            _ = try await store.enqueue([submission(1)], now: epoch)
            #expect(try await store.nextWakeDate(now: epoch) == nil)
        }
    }

    /// Queue depth counts queued and sending messages per priority, with every priority present.
    @Test func queueDepthPerPriority() async throws {
        try await withStore { store, _ in
            _ = try await store.enqueue([submission(1, .high), submission(2, .high), submission(3, .bulk)], now: epoch)
            _ = try await store.claimNext(now: epoch, lease: 60)
            let depth = try await store.queueDepth()
            #expect(depth == [.emergency: 0, .high: 2, .normal: 0, .bulk: 1])
        }
    }
}
