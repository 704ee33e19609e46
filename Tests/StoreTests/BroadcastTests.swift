import Foundation
import Testing

@testable import Store

@Suite struct BroadcastTests {
    /// A broadcast of 5,000 messages is created in one transaction, each message tagged with it,
    /// and an emergency message queued after it is still claimed first.
    @Test func fiveThousandSubmissionsInOneTransaction() async throws {
        try await withStore { store, path in
            let submissions = (0..<5_000).map { submission($0, .bulk) }
            let observer = try SQLiteConnection(path: path)
            let before = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }

            let result = try await store.createBroadcast(name: "drill", text: "Evacuate", submissions: submissions, now: epoch)
            #expect(result.messageIDs.count == 5_000)
            #expect(Set(result.messageIDs).count == 5_000)
            let after = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }
            #expect(after == before.map { $0 + 1 })  // one commit seen by another connection

            let record = try #require(try await store.broadcast(result.broadcastID))
            #expect(record.countsByState == [.queued: 5_000])
            #expect(record.name == "drill")
            #expect(try await store.message(result.messageIDs[4_999])?.broadcastID == result.broadcastID)

            let emergency = try await store.enqueue([submission(9_999, .emergency)], now: at(1))[0]
            #expect(try await store.claimNext(now: at(2), lease: 60)?.id == emergency)
            #expect(try await store.claimNext(now: at(2), lease: 60)?.id == result.messageIDs[0])
        }
    }

    /// A broadcast that fails part-way leaves neither the broadcast nor any of its messages.
    @Test func failedBroadcastLeavesNothing() async throws {
        try await withStore { store, path in
            let saboteur = try SQLiteConnection(path: path)
            try saboteur.execute(sql: """
                CREATE TRIGGER refuse_poison BEFORE INSERT ON sms_queue WHEN NEW.text = 'poison'
                BEGIN SELECT RAISE(ABORT, 'refused'); END
                """)
            let submissions = [submission(1), Submission(recipient: "+1", text: "poison"), submission(3)]
            await #expect(throws: StoreError.self) {
                _ = try await store.createBroadcast(name: nil, text: "t", submissions: submissions, now: epoch)
            }
            #expect(try await store.broadcasts(limit: 10).isEmpty)
            #expect(try await store.messages(limit: 10).isEmpty)
        }
    }

    /// Cancelling a broadcast cancels its queued messages only; in-flight and finished ones keep their state.
    @Test func cancelBroadcastTouchesQueuedOnly() async throws {
        try await withStore { store, _ in
            let result = try await store.createBroadcast(
                name: nil,
                text: "t",
                submissions: (1...4).map { submission($0) },
                now: epoch
            )
            let other = try await store.enqueue([submission(10)], now: epoch)[0]
            let inFlight = try #require(try await store.claimNext(now: at(1), lease: 60))
            let sent = try #require(try await store.claimNext(now: at(1), lease: 60))
            try await store.transition(sent.id, Transition(to: .sent, providerID: "p", providerMessageID: "1"), now: at(2))

            let cancelled = try await store.cancelBroadcast(result.broadcastID, now: at(3))
            #expect(cancelled == Array(result.messageIDs[2...]))
            #expect(try await store.message(inFlight.id)?.state == .sending)
            #expect(try await store.message(sent.id)?.state == .sent)
            #expect(try await store.message(other)?.state == .queued)
            let record = try #require(try await store.broadcast(result.broadcastID))
            #expect(record.cancelledAt == at(3))
            #expect(record.countsByState == [.sending: 1, .sent: 1, .cancelled: 2])
            #expect(try await store.events(for: cancelled[0]).last?.state == .cancelled)
            #expect(try await store.cancelBroadcast(result.broadcastID, now: at(4)) == [])
            await #expect(throws: StoreError.broadcastNotFound(77)) {
                _ = try await store.cancelBroadcast(77, now: at(4))
            }
        }
    }

    /// Cancelling one message works while it is queued and does nothing once it is in flight.
    @Test func cancelMessage() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue([submission(1), submission(2)], now: epoch)
            _ = try await store.claimNext(now: at(1), lease: 60)
            #expect(try await store.cancelMessage(ids[0], now: at(2)) == false)
            #expect(try await store.cancelMessage(ids[1], reason: "sent by mistake", now: at(2)) == true)
            let message = try #require(try await store.message(ids[1]))
            #expect(message.state == .cancelled)
            #expect(message.lastReason == "sent by mistake")
            #expect(try await store.claimNext(now: at(3), lease: 60) == nil)
        }
    }

    /// Queued messages past their deadline expire with an event, are never claimed, and others stay.
    @Test func expiry() async throws {
        try await withStore { store, _ in
            var early = submission(1, .emergency)
            early.expiresAt = at(10)
            var late = submission(2)
            late.expiresAt = at(1_000)
            let ids = try await store.enqueue([early, late, submission(3)], now: epoch)

            #expect(try await store.expireMessages(now: at(5)) == [])
            #expect(try await store.expireMessages(now: at(10)) == [ids[0]])
            let expired = try #require(try await store.message(ids[0]))
            #expect(expired.state == .expired)
            #expect(try await store.events(for: ids[0]).last?.state == .expired)

            // claimNext expires due messages itself before choosing.
            #expect(try await store.claimNext(now: at(2_000), lease: 60)?.id == ids[2])
            #expect(try await store.message(ids[1])?.state == .expired)
        }
    }

    /// Pruning deletes old final messages with their attempts and events, keeps per-day counts,
    /// and keeps recent or unfinished messages.
    @Test func pruningKeepsDailyCounts() async throws {
        try await withStore { store, path in
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
            #expect(try await store.attempts(for: ids[0]).isEmpty)
            #expect(try await store.events(for: ids[0]).isEmpty)
            #expect(try await store.message(ids[1])?.state == .sent)
            #expect(try await store.message(ids[2])?.state == .queued)

            let utcDay = try #require(try SQLiteConnection(path: path)
                .statement("SELECT date(?1 / 1000, 'unixepoch')").firstRow([SQLiteValue(epoch)]) { $0.text(0) })
            #expect(try await store.dailySummary() == [
                DailyMessageCount(day: utcDay, state: .delivered, providerID: "smpp", count: 1)
            ])
        }
    }

    /// Counters report messages by state and provider and attempts by outcome.
    @Test func counters() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue([submission(1), submission(2), submission(3)], now: epoch)
            _ = try await store.claimNext(now: at(1), lease: 60)
            let a = try await store.beginAttempt(messageID: ids[0], providerID: "twilio", now: at(1))
            try await store.finishAttempt(a, outcome: .unavailable, providerMessageID: nil, detail: nil, now: at(2))
            let b = try await store.beginAttempt(messageID: ids[0], providerID: "smpp", now: at(2))
            try await store.finishAttempt(b, outcome: .accepted, providerMessageID: "m", detail: nil, now: at(3))
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
