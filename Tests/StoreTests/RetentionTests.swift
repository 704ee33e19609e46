import Foundation
import Testing

@testable import Store

@Suite struct RetentionTests {
    private static let day: TimeInterval = 86_400

    /// Ends message `id` in `state` at `when`, after one attempt through `provider`.
    private func finish(_ id: MessageID, _ state: MessageState, at when: Date, in store: SQLiteStore) async throws {
        let claimed = try #require(try await store.claimNext(now: when, lease: 60))
        #expect(claimed.id == id)
        let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: when)
        let outcome: AttemptOutcome = state == .delivered ? .accepted : .unavailable
        try await store.finishAttempt(attempt, outcome: outcome, providerMessageID: "p\(id)", detail: nil, now: when)
        try await store.transition(id, Transition(to: state, providerID: "carrier"), now: when)
    }

    /// With a 30-day retention, final messages last changed over 30 days ago are deleted with their
    /// attempts and events. Queued, in-flight and recent ones stay, and the counts survive per day.
    @Test func prunesOnlyOldFinishedMessages() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue((1...6).map { submission($0) }, now: epoch)
            try await finish(ids[0], .delivered, at: at(1 * Self.day), in: store)
            try await finish(ids[1], .failed, at: at(2 * Self.day), in: store)
            try await finish(ids[2], .delivered, at: at(40 * Self.day), in: store)
            let sending = try #require(try await store.claimNext(now: at(41 * Self.day), lease: 60))
            #expect(sending.id == ids[3])
            try await store.transition(ids[4], Transition(to: .cancelled), now: at(3 * Self.day))

            let pruned = try await store.pruneFinishedMessages(
                olderThan: .seconds(30 * 86_400),
                now: at(45 * Self.day)
            )

            #expect(pruned == 3)
            for id in [ids[0], ids[1], ids[4]] {
                #expect(try await store.message(id) == nil)
                #expect(try await store.events(for: id).isEmpty)
                #expect(try await store.attempts(for: id).isEmpty)
            }
            #expect(try await store.message(ids[2])?.state == .delivered)
            #expect(try await store.message(ids[3])?.state == .sending)
            #expect(try await store.message(ids[5])?.state == .queued)
            #expect(try await store.events(for: ids[2]).isEmpty == false)
            let summary = try await store.dailySummary()
            #expect(summary.map(\.count).reduce(0, +) == 3)
            #expect(Set(summary.map(\.state)) == [.delivered, .failed, .cancelled])
        }
    }

    /// A prune larger than one batch runs in several transactions and deletes every due message.
    @Test func prunesInBatches() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue((1...7).map { submission($0) }, now: epoch)
            for (offset, id) in ids.enumerated() {
                try await store.transition(id, Transition(to: .cancelled), now: at(Double(offset)))
            }

            let pruned = try await store.pruneFinishedMessages(
                olderThan: .seconds(3600),
                now: at(2 * Self.day),
                batchSize: 3
            )

            #expect(pruned == 7)
            #expect(try await store.messages(limit: 10).isEmpty)
            #expect(try await store.dailySummary().map(\.count) == [7])
        }
    }

    /// A wall clock stepped back before the messages' last change deletes nothing; the next prune
    /// at the real time deletes them.
    @Test func clockSteppedBackPrunesNothing() async throws {
        try await withStore { store, _ in
            let id = try await store.enqueue([submission(1)], now: at(100 * Self.day))[0]
            try await store.transition(id, Transition(to: .cancelled), now: at(100 * Self.day))

            #expect(try await store.pruneFinishedMessages(olderThan: .seconds(86_400), now: epoch) == 0)
            #expect(try await store.message(id)?.state == .cancelled)
            #expect(try await store.pruneFinishedMessages(olderThan: .seconds(86_400), now: at(102 * Self.day)) == 1)
        }
    }
}
