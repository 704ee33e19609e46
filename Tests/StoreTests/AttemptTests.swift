import Foundation
import Testing

@testable import Store

@Suite struct AttemptTests {
    /// An attempt is recorded at its start, counted on the message, and finished with its outcome.
    @Test func attemptsAreRecorded() async throws {
        try await withStore { store, _ in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimNext(now: at(1), lease: 60)
            let first = try await store.beginAttempt(messageID: id, providerID: "twilio", now: at(2))
            #expect(try await store.attempts(for: id).first?.outcome == nil)
            try await store.finishAttempt(first, outcome: .unavailable, providerMessageID: nil, detail: "HTTP 503", now: at(3))
            let second = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(4))
            try await store.finishAttempt(second, outcome: .accepted, providerMessageID: "m-77", detail: nil, now: at(5))

            let attempts = try await store.attempts(for: id)
            #expect(attempts == [
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

    /// A transition writes the message row and its event, and leaving sending clears the lease.
    @Test func transitionWritesRowAndEvent() async throws {
        try await withStore { store, path in
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
            let events = try await store.events(for: id)
            #expect(events.last == MessageEvent(messageID: id, at: at(2), state: .sent, providerID: "smpp", reason: "accepted"))

            let connection = try SQLiteConnection(path: path)
            let lease = try connection.statement("SELECT lease_until FROM sms_queue WHERE id = ?1")
                .firstRow([.integer(id)]) { $0.optionalInt64(0) }
            #expect(lease == .some(nil))
        }
    }

    /// When the event row cannot be written, the message row keeps its old state: both are one transaction.
    @Test func transitionIsAtomic() async throws {
        try await withStore { store, path in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            let saboteur = try SQLiteConnection(path: path)
            try saboteur.execute(sql: """
                CREATE TRIGGER refuse_sent BEFORE INSERT ON sms_events WHEN NEW.state = 'sent'
                BEGIN SELECT RAISE(ABORT, 'no sent events'); END
                """)
            await #expect(throws: StoreError.self) {
                try await store.transition(id, Transition(to: .sent, providerID: "smpp"), now: at(1))
            }
            #expect(try await store.message(id)?.state == .queued)
            #expect(try await store.events(for: id).map(\.state) == [.queued])
        }
    }

    /// A transition or attempt for an unknown id throws a not-found error.
    @Test func unknownIdsThrow() async throws {
        try await withStore { store, _ in
            await #expect(throws: StoreError.messageNotFound(99)) {
                try await store.transition(99, Transition(to: .failed), now: epoch)
            }
            await #expect(throws: StoreError.messageNotFound(99)) {
                _ = try await store.beginAttempt(messageID: 99, providerID: "p", now: epoch)
            }
            await #expect(throws: StoreError.attemptNotFound(5)) {
                try await store.finishAttempt(5, outcome: .accepted, providerMessageID: nil, detail: nil, now: epoch)
            }
        }
    }

    /// A repeated idempotency key returns the first id and queues nothing new, within a batch too.
    @Test func idempotencyKeyReturnsExistingID() async throws {
        try await withStore { store, _ in
            let first = try await store.enqueue([submission(1, key: "req-1")], now: epoch)
            let second = try await store.enqueue([submission(2, key: "req-1"), submission(3, key: "req-2")], now: at(1))
            #expect(second[0] == first[0])
            let batch = try await store.enqueue([submission(4, key: "req-3"), submission(5, key: "req-3")], now: at(2))
            #expect(batch[0] == batch[1])
            #expect(try await store.messages(limit: 10).count == 3)
            #expect(try await store.message(first[0])?.text == "message 1")
        }
    }

    /// A receipt's provider message id finds the message, also after it was re-routed to another provider.
    @Test func findMessageByProviderID() async throws {
        try await withStore { store, _ in
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

    /// After a crash mid-attempt, recovery marks the attempt ambiguous and the message unknown,
    /// and returns its id; a second recovery finds nothing.
    @Test func recoverInterruptedAttemptsAfterCrash() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let before = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let ids = try await before.enqueue([submission(1), submission(2)], now: epoch)
            _ = try await before.claimNext(now: at(1), lease: 60)
            let attempt = try await before.beginAttempt(messageID: ids[0], providerID: "twilio", now: at(2))
            await before.close()

            let after = try await SQLiteStore(path: path, notifiesWakeListener: false)
            #expect(try await after.recoverInterruptedAttempts(now: at(10)) == [ids[0]])
            let message = try #require(try await after.message(ids[0]))
            #expect(message.state == .unknown)
            #expect(try await after.attempts(for: ids[0]).first?.outcome == .ambiguous)
            #expect(try await after.attempts(for: ids[0]).first?.id == attempt)
            let event = try #require(try await after.events(for: ids[0]).last)
            #expect(event.state == .unknown)
            #expect(event.providerID == "twilio")
            #expect(try await after.message(ids[1])?.state == .queued)
            #expect(try await after.recoverInterruptedAttempts(now: at(11)) == [])
            // The unknown message is not claimed: the caller applies the ambiguity policy first.
            #expect(try await after.claimNext(now: at(12), lease: 60)?.id == ids[1])
            await after.close()
        }
    }

    /// A second store on the same file, as another process would open it, sees committed rows and
    /// cannot claim a message the first one holds.
    @Test func secondConnectionSeesCommittedRows() async throws {
        try await withStore { daemon, path in
            let cli = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let id = try await cli.enqueue([submission(1, .emergency)], now: epoch)[0]
            let claimed = try await daemon.claimNext(now: at(1), lease: 60)
            #expect(claimed?.id == id)
            #expect(try await cli.claimNext(now: at(2), lease: 60) == nil)
            #expect(try await cli.message(id)?.state == .sending)
            await cli.close()
        }
    }
}

@Suite struct ConcurrentClaimTests {
    /// Two stores on one file claiming at the same time never claim the same message, and
    /// together claim every message.
    @Test func concurrentClaimsAreExclusive() async throws {
        try await withStore { first, path in
            let second = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let ids = try await first.enqueue((0..<200).map { submission($0) }, now: epoch)
            let claimed = try await withThrowingTaskGroup(of: [MessageID].self) { group in
                for store in [first, second] {
                    group.addTask {
                        var mine: [MessageID] = []
                        while let message = try await store.claimNext(now: at(1), lease: 600) {
                            mine.append(message.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            await second.close()
            #expect(claimed.count == ids.count)
            #expect(Set(claimed) == Set(ids))
        }
    }
}
