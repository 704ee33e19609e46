import Foundation
import Testing

@testable import Store

/// Tests of claims made under a `ClaimOwner`: the run that made them keeps them at any wall-clock
/// time, and in PostgreSQL their leases run on the database server's clock.
@Suite struct ClaimOwnerTests {
    /// A claim under an owner is never taken back by the same owner, even a day after its lease,
    /// on either store. The message stays `sending` with its attempt open.
    @Test(arguments: StoreKind.allCases)
    func ownClaimIsNeverTakenBack(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let owner = ClaimOwner()
            let now = Date()
            let id = try await store.enqueue([submission(1)], now: now)[0]
            #expect(try await store.claimBatch(now: now, lease: 30, limit: 5, owner: owner).map(\.id) == [id])
            _ = try await store.beginAttempt(messageID: id, providerID: "smpp", now: now)

            let dayLater = now.addingTimeInterval(86_400)
            #expect(try await store.claimBatch(now: dayLater, lease: 30, limit: 5, owner: owner).isEmpty)
            #expect(try await store.message(id)?.state == .sending)
            #expect(try await store.attempts(for: id).map(\.outcome) == [nil])
        }
    }

    /// In SQLite, where the run that claimed a message under another owner is gone, that claim
    /// is taken over once its lease has run out by the wall clock, its open attempt ambiguous.
    @Test func sqliteTakesOverAnotherOwnersExpiredClaim() async throws {
        try await withStores(.sqlite) { set in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimBatch(now: at(1), lease: 30, limit: 1, owner: ClaimOwner(id: "dead-run"))
            _ = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(2))

            let successor = ClaimOwner(id: "new-run")
            #expect(try await store.claimBatch(now: at(30), lease: 30, limit: 1, owner: successor).isEmpty)
            #expect(try await store.claimBatch(now: at(32), lease: 30, limit: 1, owner: successor).map(\.id) == [id])
            #expect(try await store.attempts(for: id).map(\.outcome) == [.ambiguous])
            #expect(try await store.events(for: id).compactMap(\.reason) == [SQLiteStore.leaseExpiredReason])
        }
    }

    /// In PostgreSQL a box whose clock was stepped forward an hour does not take over another
    /// box's claim whose lease still runs by the server's clock, and its next wake-up names the
    /// end of that lease on its own clock.
    @Test func postgresLeaseIgnoresAStepForward() async throws {
        try await withStores(.postgres, count: 2) { set in
            let (first, second) = (set.stores[0], set.stores[1])
            let now = Date()
            let id = try await first.enqueue([submission(1)], now: now)[0]
            _ = try await first.claimBatch(now: now, lease: 600, limit: 1, owner: ClaimOwner())
            _ = try await first.beginAttempt(messageID: id, providerID: "smpp", now: now)

            let stepped = now.addingTimeInterval(3_600)
            #expect(try await second.claimBatch(now: stepped, lease: 600, limit: 1, owner: ClaimOwner()).isEmpty)
            #expect(try await first.message(id)?.state == .sending)
            #expect(try await first.attempts(for: id).map(\.outcome) == [nil])
            // The lease ends 600 s after the claim by the server's clock. On the stepped clock that
            // is about 600 s after `stepped`.
            let wake = try #require(try await second.nextWakeDate(now: stepped))
            #expect(wake > stepped.addingTimeInterval(500))
            #expect(wake < stepped.addingTimeInterval(700))
        }
    }

    /// In PostgreSQL a box whose clock was stepped back an hour still takes over another box's
    /// claim once its lease has run out by the server's clock, with the open attempt ambiguous.
    @Test func postgresLeaseEndsByTheServerClock() async throws {
        try await withStores(.postgres, count: 2) { set in
            let (first, second) = (set.stores[0], set.stores[1])
            let now = Date()
            let id = try await first.enqueue([submission(1)], now: now)[0]
            _ = try await first.claimBatch(now: now, lease: 0.2, limit: 1, owner: ClaimOwner())
            _ = try await first.beginAttempt(messageID: id, providerID: "smpp", now: now)

            let steppedBack = now.addingTimeInterval(-3_600)
            let successor = ClaimOwner()
            var taken: [MessageRecord] = []
            let limit = ContinuousClock.now + .seconds(20)
            while taken.isEmpty, ContinuousClock.now < limit {
                taken = try await second.claimBatch(now: steppedBack, lease: 600, limit: 1, owner: successor)
                if taken.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(taken.map(\.id) == [id], "the lease never ended by the server's clock")
            #expect(try await second.attempts(for: id).map(\.outcome) == [.ambiguous])
            #expect(try await second.events(for: id).compactMap(\.reason) == [SQLiteStore.leaseExpiredReason])
        }
    }
}
