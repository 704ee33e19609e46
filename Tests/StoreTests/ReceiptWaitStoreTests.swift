import Foundation
import Testing

@testable import Store

/// `unknown` messages that wait for the receipt of an ambiguous attempt, on SQLite and PostgreSQL.
@Suite struct ReceiptWaitStoreTests {
    /// Claims one message, records one attempt on `carrier` that ends ambiguous, and leaves the
    /// message `unknown` waiting until `end`. Returns the message and attempt ids.
    private static func waiting(
        on store: any MessageStore,
        number: Int = 1,
        until end: Date?
    ) async throws -> (MessageID, AttemptID) {
        let id = try await store.enqueue([submission(number, .bulk)], now: epoch)[0]
        let claimed = try #require(try await store.claimNext(now: at(1), lease: 60))
        #expect(claimed.id == id)
        let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: at(1))
        try await store.finishAttempt(
            attempt,
            outcome: .ambiguous,
            providerMessageID: nil,
            detail: "no submit_sm_resp",
            then: (id, Transition(to: .unknown, providerID: "carrier", reason: "no submit_sm_resp")),
            now: at(2)
        )
        try await store.transition(id, Transition(to: .unknown, reason: "waiting", notBefore: end), now: at(2))
        return (id, attempt)
    }

    /// A waiting message is a wake date, is not claimed before its end, and after its end is
    /// claimed with its attempt marked `not_received` and the reason in its events.
    @Test(arguments: StoreKind.allCases)
    func endedWaitIsClaimedAgain(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let (id, attempt) = try await Self.waiting(on: store, until: at(100))

            #expect(try await store.message(id)?.notBefore == at(100))
            #expect(try await store.nextWakeDate(now: at(3)) == at(100))
            #expect(try await store.claimNext(now: at(99), lease: 60) == nil)
            #expect(try await store.message(id)?.state == .unknown)

            let again = try #require(try await store.claimNext(now: at(100), lease: 60))
            #expect(again.id == id)
            let attempts = try await store.attempts(for: id)
            #expect(attempts.map(\.id) == [attempt])
            #expect(attempts.map(\.outcome) == [.notReceived])
            #expect(attempts[0].detail == "no submit_sm_resp; " + SQLiteStore.notReceivedDetail)
            let events = try await store.events(for: id)
            #expect(events.suffix(2).map(\.state) == [.queued, .sending])
            #expect(events.suffix(2).first?.reason == SQLiteStore.receiptWaitEndedReason)
        }
    }

    /// An `unknown` message without an end (the `wait` policy) is never claimed, even when it
    /// carried a `notBefore` from an earlier time in the queue.
    @Test(arguments: StoreKind.allCases)
    func unknownWithoutEndStays(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1, .bulk)], now: epoch)[0]
            try await store.transition(id, Transition(to: .queued, reason: "later", notBefore: at(5)), now: epoch)
            _ = try #require(try await store.claimNext(now: at(5), lease: 60))
            let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: at(5))
            try await store.finishAttempt(
                attempt,
                outcome: .ambiguous,
                providerMessageID: nil,
                detail: nil,
                then: (id, Transition(to: .unknown, providerID: "carrier", reason: "no answer")),
                now: at(6)
            )

            #expect(try await store.message(id)?.notBefore == nil)
            #expect(try await store.nextWakeDate(now: at(6)) == nil)
            #expect(try await store.claimNext(now: at(10_000), lease: 60) == nil)
            #expect(try await store.message(id)?.state == .unknown)
            #expect(try await store.attempts(for: id).map(\.outcome) == [.ambiguous])
        }
    }

    /// A receipt adopted during the wait moves the message, and the end of the wait then
    /// changes nothing.
    @Test(arguments: StoreKind.allCases)
    func adoptedReceiptEndsTheWait(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let (id, attempt) = try await Self.waiting(on: store, until: at(100))
            let candidates = try await store.unresolvedAttempts(providerID: "carrier", recipient: "+447700900001")
            #expect(candidates.map(\.attempt.id) == [attempt])

            let adopted = try await store.adoptReceipt(
                attemptID: attempt,
                messageID: id,
                providerMessageID: "m-1",
                detail: "adopted",
                now: at(50)
            ) { _ in Transition(to: .delivered, providerID: "carrier", providerMessageID: "m-1", reason: "adopted") }
            #expect(adopted?.stored?.state == .delivered)

            #expect(try await store.claimNext(now: at(200), lease: 60) == nil)
            #expect(try await store.message(id)?.state == .delivered)
            #expect(try await store.attempts(for: id).map(\.outcome) == [.accepted])
        }
    }

    /// Migrating a file from version 5 clears the `not_before` an `unknown` message kept from its
    /// time in the queue, so it is not taken for a message whose wait for a receipt ended.
    @Test func migrationClearsOldUnknownNotBefore() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let connection = try SQLiteConnection(path: path)
            for migration in StoreMigrations.all where migration.version <= 5 {
                try connection.execute(sql: migration.sql)
            }
            try connection.setUserVersion(5)
            try connection.execute(
                sql: """
                    INSERT INTO sms_queue (recipient, text, priority, state, created_at, updated_at, not_before)
                    VALUES ('+447700900001', 'x', 2, 'unknown', 0, 0, 1000)
                    """
            )
            connection.close()

            let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let message = try #require(try await store.messages(limit: 1).first)
            #expect(message.state == .unknown)
            #expect(message.notBefore == nil)
            #expect(try await store.claimNext(now: at(10), lease: 60) == nil)
            await store.close()
        }
    }

    /// Two boxes claiming after the end of one wait: one of them gets the message, once.
    @Test func twoBoxesTakeAnEndedWaitOnce() async throws {
        try await withStores(.postgres, count: 2) { set in
            let (id, _) = try await Self.waiting(on: set.stores[0], until: at(100))
            async let first = set.stores[0].claimNext(now: at(100), lease: 60)
            async let second = set.stores[1].claimNext(now: at(100), lease: 60)
            let claimed = [try await first, try await second].compactMap { $0?.id }
            #expect(claimed == [id])
            let queuedEvents = try await set.stores[0].events(for: id).filter {
                $0.reason == SQLiteStore.receiptWaitEndedReason
            }
            #expect(queuedEvents.count == 1)
        }
    }
}
