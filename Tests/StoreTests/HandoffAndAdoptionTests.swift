import Foundation
import Testing

@testable import Store

/// Receipt adoption on both stores, and hand-offs between boxes on a shared PostgreSQL queue.
@Suite struct HandoffAndAdoptionTests {
    /// An ambiguous attempt is a candidate for its recipient, adopted once with its message's
    /// transition, and not adopted a second time.
    @Test(arguments: StoreKind.allCases)
    func adoptsAmbiguousAttemptOnce(kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try #require(try await store.claimNext(now: at(1), lease: 60))
            let attempt = try await store.beginAttempt(messageID: id, providerID: "carrier", now: at(1))
            try await store.finishAttempt(
                attempt,
                outcome: .ambiguous,
                providerMessageID: nil,
                detail: "no response",
                then: (id, Transition(to: .unknown, providerID: "carrier", reason: "no response")),
                now: at(2)
            )

            let candidates = try await store.unresolvedAttempts(providerID: "carrier", recipient: "+447700900001")
            #expect(candidates.map(\.attempt.id) == [attempt])
            #expect(try await store.unresolvedAttempts(providerID: "other", recipient: "+447700900001").isEmpty)
            #expect(try await store.unresolvedAttempts(providerID: "carrier", recipient: "+447700900002").isEmpty)

            let delivered = Transition(to: .delivered, providerID: "carrier", providerMessageID: "77", reason: "adopted")
            let first = try await store.adoptReceipt(
                attemptID: attempt,
                messageID: id,
                providerMessageID: "77",
                detail: "adopted",
                now: at(3)
            ) { _ in delivered }
            #expect(first?.message.state == .unknown)
            #expect(first?.stored == delivered)
            let second = try await store.adoptReceipt(
                attemptID: attempt,
                messageID: id,
                providerMessageID: "78",
                detail: "adopted",
                now: at(4)
            ) { _ in delivered }
            #expect(second == nil)

            let message = try #require(try await store.message(id))
            #expect(message.state == .delivered)
            #expect(message.providerMessageID == "77")
            #expect(try await store.attempts(for: id).map(\.providerMessageID) == ["77"])
            #expect(try await store.findMessage(providerID: "carrier", providerMessageID: "77")?.id == id)
        }
    }

    /// A message handed off to a live box is claimed by that box only; when the box's heartbeat
    /// is older than the hand-off wait, any box may claim it.
    @Test func handedOffMessageWaitsForItsBox() async throws {
        try await withPostgres(count: 2) { set, server, database in
            let boxA = try #require(set.stores[0] as? PostgresStore)
            let boxB = try #require(set.stores[1] as? PostgresStore)
            try await boxA.registerBox(providerIDs: ["cloud"])
            try await boxB.registerBox(providerIDs: ["modem-1"])
            #expect(try await boxA.liveBoxes().map(\.node) == ["node-2"])
            #expect(try await boxA.liveBoxes().first?.providerIDs == ["modem-1"])

            let id = try await boxA.enqueue([submission(1)], now: epoch)[0]
            _ = try #require(try await boxA.claimNext(now: at(1), lease: 60))
            try await boxA.handOff(id, to: "node-2", reason: "handed off", now: at(2))
            #expect(try await boxA.claimNext(now: at(3), lease: 60) == nil)
            #expect(try await boxA.lapsedHandoffCount() == 0)
            let claimed = try #require(try await boxB.claimNext(now: at(3), lease: 60))
            #expect(claimed.id == id)
            #expect(claimed.handoffNode == "node-2")

            // Box B stops heartbeating: move its heartbeat back past the wait.
            try await boxB.transition(id, Transition(to: .queued, reason: "back"), now: at(4))
            _ = try await server.rows(
                database: database,
                "UPDATE lifeline_boxes SET heartbeat_at = heartbeat_at - 61000 WHERE node = 'node-2'"
            )
            #expect(try await boxA.liveBoxes().isEmpty)
            #expect(try await boxA.lapsedHandoffCount() == 1)
            #expect(try await boxA.claimNext(now: at(5), lease: 60)?.id == id)
        }
    }
}
