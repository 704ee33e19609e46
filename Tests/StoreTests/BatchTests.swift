import Foundation
import Testing

@testable import Store

/// The batched queue operations and the writer's shared transactions.
@Suite struct BatchTests {
    /// A batched claim takes at most the limit, by priority then age, each message with its lease
    /// and `sending` event, and leaves the rest queued.
    @Test func claimBatchTakesByPriorityThenAge() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue(
                [submission(1, .bulk), submission(2, .normal), submission(3, .emergency), submission(4, .normal)],
                now: epoch
            )
            let claimed = try await store.claimBatch(now: at(1), lease: 60, limit: 3)
            #expect(claimed.map(\.id) == [ids[2], ids[1], ids[3]])
            #expect(claimed.allSatisfy { $0.state == .sending })
            for id in claimed.map(\.id) {
                #expect(try await store.events(for: id).map(\.state) == [.queued, .sending])
            }
            #expect(try await store.message(ids[0])?.state == .queued)
            #expect(try await store.claimBatch(now: at(2), lease: 60, limit: 3).map(\.id) == [ids[0]])
            #expect(try await store.claimBatch(now: at(3), lease: 60, limit: 3).isEmpty)
            #expect(try await store.claimBatch(now: at(4), lease: 60, limit: 0).isEmpty)
        }
    }

    /// A batched claim that finds nothing ready commits no change to the file.
    @Test func emptyClaimBatchWritesNothing() async throws {
        try await withStore { store, path in
            let observer = try SQLiteConnection(path: path)
            let before = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }
            #expect(try await store.claimBatch(now: epoch, lease: 60, limit: 10).isEmpty)
            let after = try observer.statement("PRAGMA data_version").firstRow { $0.int(0) }
            #expect(before == after)
        }
    }

    /// Attempts begun together get their ids in order and count on their messages; with one
    /// unknown message among them, none is recorded.
    @Test func beginAttemptsIsAllOrNothing() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue([submission(1), submission(2)], now: epoch)
            _ = try await store.claimBatch(now: at(1), lease: 60, limit: 2)
            let starts = ids.map { AttemptStart(messageID: $0, providerID: "smpp") }
            let attemptIDs = try await store.beginAttempts(starts, now: at(2))
            #expect(attemptIDs.count == 2)
            #expect(attemptIDs[0] < attemptIDs[1])
            for (id, attemptID) in zip(ids, attemptIDs) {
                #expect(try await store.attempts(for: id).map(\.id) == [attemptID])
                #expect(try await store.message(id)?.attempts == 1)
            }

            let mixed = [AttemptStart(messageID: ids[0], providerID: "modem"), AttemptStart(messageID: 999, providerID: "modem")]
            await #expect(throws: StoreError.messageNotFound(999)) {
                try await store.beginAttempts(mixed, now: at(3))
            }
            #expect(try await store.attempts(for: ids[0]).count == 1)
            #expect(try await store.message(ids[0])?.attempts == 1)
        }
    }

    /// An outcome stored with its transition is stored with it or not at all.
    @Test func finishAttemptWithTransitionIsAtomic() async throws {
        try await withStore { store, path in
            let ids = try await store.enqueue([submission(1), submission(2)], now: epoch)
            _ = try await store.claimBatch(now: at(1), lease: 60, limit: 2)
            let attempts = try await store.beginAttempts(ids.map { AttemptStart(messageID: $0, providerID: "smpp") }, now: at(2))
            try await store.finishAttempt(
                attempts[0],
                outcome: .accepted,
                providerMessageID: "A1",
                detail: nil,
                then: (ids[0], Transition(to: .sent, providerID: "smpp", providerMessageID: "A1")),
                now: at(3)
            )
            let sent = try #require(try await store.message(ids[0]))
            #expect(sent.state == .sent)
            #expect(sent.providerMessageID == "A1")
            #expect(try await store.attempts(for: ids[0]).first?.outcome == .accepted)

            let saboteur = try SQLiteConnection(path: path)
            try saboteur.execute(sql: """
                CREATE TRIGGER refuse_sent BEFORE INSERT ON sms_events WHEN NEW.state = 'sent'
                BEGIN SELECT RAISE(ABORT, 'no sent events'); END
                """)
            await #expect(throws: StoreError.self) {
                try await store.finishAttempt(
                    attempts[1],
                    outcome: .accepted,
                    providerMessageID: "A2",
                    detail: nil,
                    then: (ids[1], Transition(to: .sent, providerID: "smpp", providerMessageID: "A2")),
                    now: at(4)
                )
            }
            #expect(try await store.attempts(for: ids[1]).first?.outcome == nil)
            #expect(try await store.message(ids[1])?.state == .sending)
        }
    }

    /// Many state changes at once, one of which fails, commit every other change: a failing call
    /// rolls back only its own writes, whichever others share its transaction.
    @Test func failingCallLeavesOthersCommitted() async throws {
        try await withStore { store, path in
            let ids = try await store.enqueue((1...40).map { submission($0) }, now: epoch)
            _ = try await store.claimBatch(now: at(1), lease: 60, limit: 40)
            let doomed = ids[17]
            let saboteur = try SQLiteConnection(path: path)
            try saboteur.execute(sql: """
                CREATE TRIGGER refuse_one BEFORE INSERT ON sms_events WHEN NEW.message_id = \(doomed)
                BEGIN SELECT RAISE(ABORT, 'refused'); END
                """)

            let failures = await withTaskGroup(of: MessageID?.self) { group in
                for id in ids {
                    group.addTask {
                        do {
                            try await store.transition(id, Transition(to: .failed, reason: "test"), now: at(2))
                            return nil
                        } catch {
                            return id
                        }
                    }
                }
                return await group.reduce(into: [MessageID]()) { if let id = $1 { $0.append(id) } }
            }
            #expect(failures == [doomed])
            for id in ids {
                let expected: MessageState = id == doomed ? .sending : .failed
                #expect(try await store.message(id)?.state == expected)
                #expect(try await store.events(for: id).count == (id == doomed ? 2 : 3))
            }
        }
    }

    /// A receipt lookup stores the transition its decision returns, in one call, and stores
    /// nothing when the decision returns none or no message matches.
    @Test func findMessageTransitionedByDecision() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue([submission(1), submission(2)], now: epoch)
            _ = try await store.claimBatch(now: at(1), lease: 60, limit: 2)
            let attempts = try await store.beginAttempts(ids.map { AttemptStart(messageID: $0, providerID: "smpp") }, now: at(2))
            for (index, attempt) in attempts.enumerated() {
                let key = "K\(index)"
                try await store.finishAttempt(
                    attempt,
                    outcome: .accepted,
                    providerMessageID: key,
                    detail: nil,
                    then: (ids[index], Transition(to: .sent, providerID: "smpp", providerMessageID: key)),
                    now: at(3)
                )
            }

            let delivered = Transition(to: .delivered, providerID: "smpp", reason: "stat:DELIVRD")
            let applied = try await store.findMessage(providerID: "smpp", providerMessageID: "K0", now: at(4)) { message in
                message.state == .sent ? delivered : nil
            }
            #expect(applied?.message.id == ids[0])
            #expect(applied?.message.state == .sent)
            #expect(applied?.stored == delivered)
            #expect(try await store.message(ids[0])?.state == .delivered)

            let declined = try await store.findMessage(providerID: "smpp", providerMessageID: "K1", now: at(4)) { _ in nil }
            #expect(declined?.message.id == ids[1])
            #expect(declined?.stored == nil)
            #expect(try await store.message(ids[1])?.state == .sent)

            let unknown = try await store.findMessage(providerID: "smpp", providerMessageID: "nope", now: at(4)) { _ in delivered }
            #expect(unknown == nil)
        }
    }

    /// Messages by state come newest first, at most the limit, and only in that state.
    @Test func messagesInState() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue((1...5).map { submission($0) }, now: epoch)
            _ = try await store.claimBatch(now: at(1), lease: 60, limit: 3)
            #expect(try await store.messages(in: .sending, limit: 2).map(\.id) == [ids[2], ids[1]])
            #expect(try await store.messages(in: .queued, limit: 10).map(\.id) == [ids[4], ids[3]])
            #expect(try await store.messages(in: .sent, limit: 10).isEmpty)
        }
    }
}
