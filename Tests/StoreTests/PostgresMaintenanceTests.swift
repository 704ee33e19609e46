import Foundation
import Testing

@testable import Store

/// The housekeeping functions both stores offer beside `MessageStore`, so the tests run on both.
protocol MaintainedStore: MessageStore {
    func releaseBackoffs(now: Date) async throws -> Int
    func expireMessages(now: Date) async throws -> [MessageID]
    func pruneFinishedMessages(olderThan retention: Duration, now: Date) async throws -> Int
    func dailySummary() async throws -> [DailyMessageCount]
    func counters() async throws -> StoreCounters
}

extension SQLiteStore: MaintainedStore {}
extension PostgresStore: MaintainedStore {}

/// The daemon's housekeeping, run against SQLite and PostgreSQL alike.
@Suite struct PostgresMaintenanceTests {
    /// Releasing back-offs makes a waiting message claimable at once and leaves others alone.
    @Test(arguments: StoreKind.allCases)
    func releaseBackoffs(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = try #require(set.stores[0] as? any MaintainedStore)
            let waiting = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 60)
            try await store.transition(waiting, Transition(to: .queued, reason: "no provider", notBefore: at(100)), now: at(2))
            _ = try await store.enqueue([submission(2)], now: at(3))

            #expect(try await store.releaseBackoffs(now: at(4)) == 1)
            #expect(try await store.claimNext(now: at(5), lease: 60)?.id == waiting)
        }
    }

    /// Queued messages past their deadline expire with an event, and the others stay queued.
    @Test(arguments: StoreKind.allCases)
    func expireMessages(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = try #require(set.stores[0] as? any MaintainedStore)
            var early = submission(1, .emergency)
            early.expiresAt = at(10)
            var late = submission(2)
            late.expiresAt = at(1_000)
            let ids = try await store.enqueue([early, late, submission(3)], now: epoch)

            #expect(try await store.expireMessages(now: at(5)) == [])
            #expect(try await store.expireMessages(now: at(10)) == [ids[0]])
            #expect(try await store.message(ids[0])?.state == .expired)
            #expect(try await store.events(for: ids[0]).last?.state == .expired)
            #expect(try await store.message(ids[1])?.state == .queued)
        }
    }

    /// Pruning deletes old final messages with their attempts and events, keeps per-day counts, and
    /// keeps recent or unfinished messages.
    @Test(arguments: StoreKind.allCases)
    func pruningKeepsDailyCounts(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = try #require(set.stores[0] as? any MaintainedStore)
            let ids = try await store.enqueue([submission(1), submission(2), submission(3)], now: epoch)
            for id in ids.prefix(2) {
                _ = try await store.claimNext(now: at(1), lease: 60)
                let attempt = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(1))
                try await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: "\(id)", detail: nil, now: at(2))
            }
            try await store.transition(ids[0], Transition(to: .delivered, providerID: "smpp"), now: at(3))
            try await store.transition(ids[1], Transition(to: .sent, providerID: "smpp"), now: at(3))

            let day: TimeInterval = 86_400
            #expect(try await store.pruneFinishedMessages(olderThan: .seconds(30 * 86_400), now: at(29 * day)) == 0)
            #expect(try await store.pruneFinishedMessages(olderThan: .seconds(30 * 86_400), now: at(31 * day)) == 1)
            #expect(try await store.message(ids[0]) == nil)
            let attempts = try await store.attempts(for: ids[0])
            #expect(attempts.isEmpty)
            let events = try await store.events(for: ids[0])
            #expect(events.isEmpty)
            #expect(try await store.message(ids[1])?.state == .sent)
            #expect(try await store.message(ids[2])?.state == .queued)

            // The epoch used by these tests, 1,780,000,000 s, falls on 2026-05-28 in UTC.
            #expect(try await store.dailySummary() == [
                DailyMessageCount(day: "2026-05-28", state: .delivered, providerID: "smpp", count: 1)
            ])
        }
    }

    /// Counters report messages by state and provider and attempts by outcome.
    @Test(arguments: StoreKind.allCases)
    func counters(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = try #require(set.stores[0] as? any MaintainedStore)
            let ids = try await store.enqueue([submission(1), submission(2), submission(3)], now: epoch)
            _ = try await store.claimNext(now: at(1), lease: 60)
            let first = try await store.beginAttempt(messageID: ids[0], providerID: "twilio", now: at(1))
            try await store.finishAttempt(first, outcome: .unavailable, providerMessageID: nil, detail: nil, now: at(2))
            let second = try await store.beginAttempt(messageID: ids[0], providerID: "smpp", now: at(2))
            try await store.finishAttempt(second, outcome: .accepted, providerMessageID: "m", detail: nil, now: at(3))
            try await store.transition(ids[0], Transition(to: .sent, providerID: "smpp"), now: at(3))
            _ = try await store.claimNext(now: at(4), lease: 60)
            _ = try await store.beginAttempt(messageID: ids[1], providerID: "modem", now: at(4))

            let counters = try await store.counters()
            #expect(counters.messagesByState[.sent] == 1)
            #expect(counters.messagesByState[.sending] == 1)
            #expect(counters.messagesByState[.queued] == 1)
            #expect(counters.messagesByState[.delivered] == 0)
            #expect(counters.messagesByProvider == ["smpp": [.sent: 1], "modem": [.sending: 1]])
            #expect(counters.attemptsByOutcome[.accepted] == 1)
            #expect(counters.attemptsByOutcome[.unavailable] == 1)
            #expect(counters.attemptsByOutcome[.throttled] == 0)
            #expect(counters.attemptsByProvider == ["twilio": [.unavailable: 1], "smpp": [.accepted: 1]])
            #expect(counters.attemptsInFlight == 1)
        }
    }
}
