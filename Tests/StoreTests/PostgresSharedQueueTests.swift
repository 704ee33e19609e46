import Foundation
import Testing

@testable import Store

/// Several stores on one PostgreSQL database, as several daemons on different boxes share it.
@Suite struct PostgresSharedQueueTests {
    static let messageCount = 5_000

    /// Three stores claiming at once from 5,000 queued messages claim each message exactly once.
    @Test func threeStoresClaimEachMessageOnce() async throws {
        try await withPostgres(count: 3) { set, server, database in
            let ids = try await set.stores[0].enqueue((0..<Self.messageCount).map { submission($0) }, now: epoch)
            let claimed = try await claimAll(set.stores, now: at(1))
            #expect(claimed.count == Self.messageCount)
            #expect(Set(claimed) == Set(ids))
            let claimEvents = try await server.integer(
                database: database,
                "SELECT COUNT(*) FROM sms_events WHERE state = 'sending'"
            )
            #expect(claimEvents == Int64(Self.messageCount))
        }
    }

    /// Three stores send 5,000 messages while one stops mid-way, holding claims and an attempt in
    /// flight: after its lease the others take its claims over, and every message ends sent with
    /// exactly one accepted attempt.
    @Test func stoppedStoreClaimsAreTakenOver() async throws {
        try await withPostgres(count: 3) { set, server, database in
            _ = try await set.stores[0].enqueue((0..<Self.messageCount).map { submission($0) }, now: epoch)
            let (survivors, stopping) = (Array(set.stores[0...1]), set.stores[2])

            // The stopping store sends 100 messages, then claims 6 more, begins one attempt, and stops.
            let stopped = Task {
                for _ in 0..<100 {
                    guard let message = try await stopping.claimNext(now: at(1), lease: 600) else { break }
                    try await send(message.id, through: stopping, provider: "node-3")
                }
                var held: [MessageID] = []
                for _ in 0..<6 {
                    if let message = try await stopping.claimNext(now: at(1), lease: 600) { held.append(message.id) }
                }
                if let first = held.first {
                    _ = try await stopping.beginAttempt(messageID: first, providerID: "node-3", now: at(2))
                }
                await closeStore(stopping)
                return held
            }
            let sentBeforeLease = try await sendAll(survivors, now: at(1))
            let heldClaims = try await stopped.value
            try #require(heldClaims.count == 6)

            // Nothing is claimable until the stopped store's lease runs out; then its claims are taken over.
            let sentAfterLease = try await sendAll(survivors, now: at(700))
            #expect(Set(sentAfterLease) == Set(heldClaims))
            #expect(sentBeforeLease.count + sentAfterLease.count + 100 == Self.messageCount)

            let notSent = try await server.integer(database: database, "SELECT COUNT(*) FROM sms_queue WHERE state <> 'sent'")
            #expect(notSent == 0)
            let accepted = try await server.rows(
                database: database,
                "SELECT COUNT(*), COUNT(DISTINCT message_id) FROM sms_attempts WHERE outcome = 'accepted'"
            )
            #expect(try accepted.first.map { [try $0.int(0), try $0.int(1)] } == [Self.messageCount, Self.messageCount])
            let takenOver = try await server.integer(
                database: database,
                "SELECT COUNT(*) FROM sms_events WHERE reason = $1::text",
                [.text(SQLiteStore.leaseExpiredReason)]
            )
            #expect(takenOver == 6)
            let ambiguous = try await server.integer(
                database: database,
                "SELECT COUNT(*) FROM sms_attempts WHERE outcome = 'ambiguous'"
            )
            #expect(ambiguous == 1)
        }
    }
}

/// Records a provider's acceptance the way the dispatcher does: attempt, outcome, transition.
private func send(_ id: MessageID, through store: any MessageStore, provider: String) async throws {
    let attempt = try await store.beginAttempt(messageID: id, providerID: provider, now: at(2))
    try await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: "\(provider)-\(id)", detail: nil, now: at(3))
    try await store.transition(id, Transition(to: .sent, providerID: provider, providerMessageID: "\(provider)-\(id)"), now: at(3))
}

/// Claims and sends from all `stores` at once until none finds a message; returns the ids sent.
private func sendAll(_ stores: [any MessageStore], now: Date) async throws -> [MessageID] {
    try await withThrowingTaskGroup(of: [MessageID].self) { group in
        for (index, store) in stores.enumerated() {
            group.addTask {
                var sent: [MessageID] = []
                while let message = try await store.claimNext(now: now, lease: 600) {
                    try await send(message.id, through: store, provider: "node-\(index + 1)")
                    sent.append(message.id)
                }
                return sent
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
}
