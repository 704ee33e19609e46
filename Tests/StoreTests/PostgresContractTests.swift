import Foundation
import Testing

@testable import Store

/// The two implementations of `MessageStore`, for tests that run against both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Stores of one kind opened on one new database, as several processes would open it.
struct StoreSet: Sendable {
    var kind: StoreKind
    /// Opened before the test body, named `node-1`, `node-2`, ... for PostgreSQL.
    var stores: [any MessageStore]
    /// Opens one more store on the same database under the node name `node-<n>`; close it with `closeStore`.
    var open: @Sendable (Int) async throws -> any MessageStore
    /// For PostgreSQL, the database's name on the test server.
    var database: String? = nil
}

/// Closes a store of either kind.
func closeStore(_ store: any MessageStore) async {
    if let store = store as? SQLiteStore { await store.close() }
    if let store = store as? PostgresStore { await store.close() }
}

/// Opens `count` stores of `kind` on a new database (a SQLite file in a temporary directory, or
/// a new database on the shared test server), runs `body`, then closes them and removes the database.
func withStores<Result>(
    _ kind: StoreKind,
    count: Int = 1,
    _ body: (StoreSet) async throws -> Result
) async throws -> Result {
    switch kind {
    case .sqlite:
        return try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let open: @Sendable (Int) async throws -> any MessageStore = { _ in
                try await SQLiteStore(path: path, notifiesWakeListener: false)
            }
            return try await run(kind, count: count, database: nil, open: open, body)
        }
    case .postgres:
        let server = try await PostgresTestServer.shared()
        let database = try await server.makeDatabase()
        let url = server.url(database: database)
        do {
            let open: @Sendable (Int) async throws -> any MessageStore = { node in
                try await PostgresStore(url: url, node: "node-\(node)")
            }
            let result = try await run(kind, count: count, database: database, open: open, body)
            await server.dropDatabase(database)
            return result
        } catch {
            await server.dropDatabase(database)
            throw error
        }
    }
}

private func run<Result>(
    _ kind: StoreKind,
    count: Int,
    database: String?,
    open: @escaping @Sendable (Int) async throws -> any MessageStore,
    _ body: (StoreSet) async throws -> Result
) async throws -> Result {
    var stores: [any MessageStore] = []
    do {
        for node in 1...count {
            stores.append(try await open(node))
        }
        let result = try await body(StoreSet(kind: kind, stores: stores, open: open, database: database))
        for store in stores { await closeStore(store) }
        return result
    } catch {
        for store in stores { await closeStore(store) }
        throw error
    }
}

/// The `MessageStore` contract, run against SQLite and PostgreSQL alike.
@Suite struct PostgresContractTests {
    /// The hostile strings PostgreSQL text can hold (all but those with NUL).
    static let hostileWithoutNul = HostileStringTests.hostile.filter { !$0.contains("\0") }

    /// Claims take the lowest priority rank first, then the oldest message.
    @Test(arguments: StoreKind.allCases)
    func claimsByPriorityThenAge(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
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
    @Test(arguments: StoreKind.allCases, [7, 2026] as [UInt64])
    func claimOrderMatchesModel(kind: StoreKind, seed: UInt64) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
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

    /// A claimed message is not claimed again while its lease runs, and is claimable again after,
    /// with the lease expiry recorded as an event and the open attempt marked ambiguous.
    @Test(arguments: StoreKind.allCases)
    func expiredLeaseMakesMessageClaimable(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            #expect(try await store.claimNext(now: at(1), lease: 30)?.id == id)
            let attempt = try await store.beginAttempt(messageID: id, providerID: "modem-1", now: at(2))
            #expect(try await store.claimNext(now: at(30), lease: 30) == nil)

            let again = try await store.claimNext(now: at(32), lease: 30)
            #expect(again?.id == id)
            #expect(again?.state == .sending)
            #expect(try await store.events(for: id).map(\.state) == [.queued, .sending, .queued, .sending])
            #expect(try await store.events(for: id).compactMap(\.reason) == [SQLiteStore.leaseExpiredReason])
            let attempts = try await store.attempts(for: id)
            #expect(attempts.map(\.id) == [attempt])
            #expect(attempts.first?.outcome == .ambiguous)
        }
    }

    /// A lease that runs out after the provider accepted the message moves it to sent, not back to the queue.
    @Test(arguments: StoreKind.allCases)
    func expiredLeaseAfterAcceptMarksSent(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
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
    @Test(arguments: StoreKind.allCases)
    func expiredLeaseIgnoresEarlierRoute(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
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

    /// A message sent back with a notBefore is not claimed before that time, and nextWakeDate names
    /// it, then the end of the lease plus one millisecond.
    @Test(arguments: StoreKind.allCases)
    func notBeforeDelaysClaimAndSetsWakeDate(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            #expect(try await store.nextWakeDate(now: epoch) == nil)
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            #expect(try await store.nextWakeDate(now: epoch) == nil)
            _ = try await store.claimNext(now: at(1), lease: 60)
            try await store.transition(id, Transition(to: .queued, reason: "throttled", notBefore: at(100)), now: at(2))

            #expect(try await store.claimNext(now: at(50), lease: 60) == nil)
            #expect(try await store.nextWakeDate(now: at(50)) == at(100))
            #expect(try await store.claimNext(now: at(100), lease: 60)?.id == id)
            let leaseEnd = try #require(try await store.nextWakeDate(now: at(101)))
            #expect(SQLiteValue.milliseconds(leaseEnd) == SQLiteValue.milliseconds(at(160)) + 1)
        }
    }

    /// Queued messages past their deadline expire with an event when a claim runs, and are never claimed.
    @Test(arguments: StoreKind.allCases)
    func claimExpiresDueMessages(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            var early = submission(1, .emergency)
            early.expiresAt = at(10)
            let ids = try await store.enqueue([early, submission(2)], now: epoch)
            #expect(try await store.claimNext(now: at(10), lease: 60)?.id == ids[1])
            let expired = try #require(try await store.message(ids[0]))
            #expect(expired.state == .expired)
            #expect(expired.lastReason == SQLiteStore.expiredReason)
            #expect(try await store.events(for: ids[0]).map(\.state) == [.queued, .expired])
        }
    }

    /// Queue depth counts queued and sending messages per priority, with every priority present.
    @Test(arguments: StoreKind.allCases)
    func queueDepthPerPriority(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            _ = try await store.enqueue([submission(1, .high), submission(2, .high), submission(3, .bulk)], now: epoch)
            _ = try await store.claimNext(now: epoch, lease: 60)
            #expect(try await store.queueDepth() == [.emergency: 0, .high: 2, .normal: 0, .bulk: 1])
        }
    }

    /// An attempt is recorded at its start, counted on the message, and finished with its outcome.
    @Test(arguments: StoreKind.allCases)
    func attemptsAreRecorded(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 60)
            let first = try await store.beginAttempt(messageID: id, providerID: "twilio", now: at(2))
            #expect(try await store.attempts(for: id).first?.outcome == nil)
            try await store.finishAttempt(first, outcome: .unavailable, providerMessageID: nil, detail: "HTTP 503", now: at(3))
            let second = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(4))
            try await store.finishAttempt(second, outcome: .accepted, providerMessageID: "m-77", detail: nil, now: at(5))

            #expect(try await store.attempts(for: id) == [
                AttemptRecord(id: first, messageID: id, providerID: "twilio", startedAt: at(2), outcome: .unavailable,
                              detail: "HTTP 503", finishedAt: at(3)),
                AttemptRecord(id: second, messageID: id, providerID: "smpp", startedAt: at(4), outcome: .accepted,
                              providerMessageID: "m-77", finishedAt: at(5)),
            ])
            let message = try #require(try await store.message(id))
            #expect(message.attempts == 2)
            #expect(message.providerID == "smpp")
            #expect(message.providerMessageID == "m-77")
        }
    }

    /// A transition writes the message row and its event.
    @Test(arguments: StoreKind.allCases)
    func transitionWritesRowAndEvent(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 60)
            try await store.transition(
                id,
                Transition(to: .sent, providerID: "smpp", providerMessageID: "abc", reason: "accepted"),
                now: at(2)
            )
            let message = try #require(try await store.message(id))
            #expect(message.state == .sent)
            #expect(message.providerMessageID == "abc")
            #expect(message.lastReason == "accepted")
            #expect(message.updatedAt == at(2))
            let event = MessageEvent(messageID: id, at: at(2), state: .sent, providerID: "smpp", reason: "accepted")
            #expect(try await store.events(for: id).last == event)
            #expect(try await store.messages(limit: 10).map(\.id) == [id])
        }
    }

    /// A transition, an attempt or an enqueue naming an unknown id throws a not-found error.
    @Test(arguments: StoreKind.allCases)
    func unknownIdsThrow(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            await #expect(throws: StoreError.messageNotFound(99)) {
                try await store.transition(99, Transition(to: .failed), now: epoch)
            }
            await #expect(throws: StoreError.messageNotFound(99)) {
                _ = try await store.beginAttempt(messageID: 99, providerID: "p", now: epoch)
            }
            await #expect(throws: StoreError.attemptNotFound(5)) {
                try await store.finishAttempt(5, outcome: .accepted, providerMessageID: nil, detail: nil, now: epoch)
            }
            var orphan = submission(1)
            orphan.broadcastID = 77
            await #expect(throws: StoreError.broadcastNotFound(77)) {
                _ = try await store.enqueue([submission(2), orphan], now: epoch)
            }
            let stored = try await store.messages(limit: 10)
            #expect(stored.isEmpty)
        }
    }

    /// A repeated idempotency key returns the first id and queues nothing new, within a batch too.
    @Test(arguments: StoreKind.allCases)
    func idempotencyKeyReturnsExistingID(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let first = try await store.enqueue([submission(1, key: "req-1")], now: epoch)
            let second = try await store.enqueue([submission(2, key: "req-1"), submission(3, key: "req-2")], now: at(1))
            #expect(second[0] == first[0])
            let batch = try await store.enqueue([submission(4, key: "req-3"), submission(5, key: "req-3")], now: at(2))
            #expect(batch[0] == batch[1])
            #expect(try await store.messages(limit: 10).count == 3)
            #expect(try await store.message(first[0])?.text == "message 1")
        }
    }

    /// Stores on several connections enqueuing the same keys at once each get the one id per key.
    @Test(arguments: StoreKind.allCases)
    func concurrentIdempotentEnqueues(kind: StoreKind) async throws {
        try await withStores(kind, count: 3) { set in
            let results = try await withThrowingTaskGroup(of: [MessageID].self) { group in
                for store in set.stores {
                    group.addTask {
                        try await store.enqueue((0..<50).map { submission($0, key: "key-\($0)") }, now: epoch)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 3)
            #expect(Set(results.map { $0 }).count == 1)
            #expect(try await set.stores[0].messages(limit: 500).count == 50)
        }
    }

    /// A receipt's provider message id finds the message, also after it was re-routed to another provider.
    @Test(arguments: StoreKind.allCases)
    func findMessageByProviderID(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let ids = try await store.enqueue([submission(1), submission(2)], now: epoch)
            _ = try await store.claimNext(now: at(1), lease: 60)
            let first = try await store.beginAttempt(messageID: ids[0], providerID: "smpp", now: at(2))
            try await store.finishAttempt(first, outcome: .accepted, providerMessageID: "X1", detail: nil, now: at(3))
            try await store.transition(ids[0], Transition(to: .sent, providerID: "smpp", providerMessageID: "X1"), now: at(3))

            #expect(try await store.findMessage(providerID: "smpp", providerMessageID: "X1")?.id == ids[0])
            #expect(try await store.findMessage(providerID: "twilio", providerMessageID: "X1") == nil)

            try await store.transition(ids[0], Transition(to: .undelivered, reason: "receipt UNDELIV"), now: at(4))
            let second = try await store.beginAttempt(messageID: ids[0], providerID: "modem", now: at(5))
            try await store.finishAttempt(second, outcome: .accepted, providerMessageID: "17", detail: nil, now: at(6))
            #expect(try await store.findMessage(providerID: "modem", providerMessageID: "17")?.id == ids[0])
            #expect(try await store.findMessage(providerID: "smpp", providerMessageID: "X1")?.id == ids[0])
        }
    }

    /// After a crash mid-attempt, recovery by the same node marks the attempt ambiguous and the
    /// message unknown, returns its id, and puts a claimed but unattempted message back in the queue.
    @Test(arguments: StoreKind.allCases)
    func recoverInterruptedAttemptsAfterCrash(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let before = set.stores[0]
            let ids = try await before.enqueue([submission(1), submission(2), submission(3)], now: epoch)
            _ = try await before.claimNext(now: at(1), lease: 60)
            _ = try await before.claimNext(now: at(1), lease: 60)
            let attempt = try await before.beginAttempt(messageID: ids[0], providerID: "twilio", now: at(2))

            let after = try await set.open(1)
            #expect(try await after.recoverInterruptedAttempts(now: at(10)) == [ids[0]])
            let message = try #require(try await after.message(ids[0]))
            #expect(message.state == .unknown)
            #expect(try await after.attempts(for: ids[0]).map(\.id) == [attempt])
            #expect(try await after.attempts(for: ids[0]).first?.outcome == .ambiguous)
            let event = try #require(try await after.events(for: ids[0]).last)
            #expect(event.state == .unknown)
            #expect(event.providerID == "twilio")
            #expect(try await after.message(ids[1])?.state == .queued)
            #expect(try await after.recoverInterruptedAttempts(now: at(11)) == [])
            // The unknown message is not claimed: the caller applies the ambiguity policy first.
            #expect(try await after.claimNext(now: at(12), lease: 60)?.id == ids[1])
            await closeStore(after)
        }
    }

    /// A second store on the same database reads committed rows and cannot claim a message the first has claimed.
    @Test(arguments: StoreKind.allCases)
    func secondConnectionSeesCommittedRows(kind: StoreKind) async throws {
        try await withStores(kind, count: 2) { set in
            let (daemon, cli) = (set.stores[0], set.stores[1])
            let id = try await cli.enqueue([submission(1, .emergency)], now: epoch)[0]
            #expect(try await daemon.claimNext(now: at(1), lease: 60)?.id == id)
            #expect(try await cli.claimNext(now: at(2), lease: 60) == nil)
            #expect(try await cli.message(id)?.state == .sending)
        }
    }

    /// Two stores claiming at the same time never claim the same message, and together claim every one.
    @Test(arguments: StoreKind.allCases)
    func concurrentClaimsAreExclusive(kind: StoreKind) async throws {
        try await withStores(kind, count: 2) { set in
            let ids = try await set.stores[0].enqueue((0..<200).map { submission($0) }, now: epoch)
            let claimed = try await claimAll(set.stores, now: at(1))
            #expect(claimed.count == ids.count)
            #expect(Set(claimed) == Set(ids))
        }
    }

    /// Hostile text, except NUL, reads back unchanged from every text field.
    @Test(arguments: StoreKind.allCases, hostileWithoutNul)
    func hostileTextRoundTrips(kind: StoreKind, value: String) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let id = try await store.enqueue(
                [Submission(recipient: value, text: value, priority: .high, idempotencyKey: value)],
                now: epoch
            )[0]
            #expect(try await store.enqueue([Submission(recipient: "+1", text: "x", idempotencyKey: value)], now: epoch) == [id])
            _ = try await store.claimNext(now: at(1), lease: 60)
            let attempt = try await store.beginAttempt(messageID: id, providerID: value, now: at(2))
            try await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: value, detail: value, now: at(3))
            try await store.transition(
                id,
                Transition(to: .sent, providerID: value, providerMessageID: value, reason: value),
                now: at(4)
            )
            let message = try #require(try await store.findMessage(providerID: value, providerMessageID: value))
            #expect(message.id == id)
            #expect([message.recipient, message.text, message.idempotencyKey, message.lastReason] == [value, value, value, value])
            let stored = try #require(try await store.attempts(for: id).first)
            #expect([stored.providerID, stored.providerMessageID, stored.detail] == [value, value, value])
            #expect(try await store.events(for: id).last?.reason == value)
        }
    }
}

/// Claims from all `stores` at once until none finds a message; returns every claimed id.
func claimAll(_ stores: [any MessageStore], now: Date, lease: TimeInterval = 600) async throws -> [MessageID] {
    try await withThrowingTaskGroup(of: [MessageID].self) { group in
        for store in stores {
            group.addTask {
                var mine: [MessageID] = []
                while let message = try await store.claimNext(now: now, lease: lease) {
                    mine.append(message.id)
                }
                return mine
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
}
