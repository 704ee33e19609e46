import Foundation
import Testing

@testable import Store

/// How state changes write the message row: only the columns they change, with no temporary
/// table, and with the same result as reading the row back.
@Suite struct TransitionWriteTests {
    /// No state change on the send path builds a temporary table (`OpenEphemeral`), which a
    /// partial index with `state IN (...)` made SQLite do on every update of the message row.
    @Test func stateChangesOpenNoTemporaryTable() async throws {
        try await withStore { _, path in
            let connection = try SQLiteConnection(path: path)
            let claimUpdate =
                "UPDATE sms_queue SET state = 'sending', lease_until = ?1, updated_at = ?2, claim_owner = ?4 WHERE id = ?3"
            let transitions = [
                Transition(to: .sent, providerID: "smpp", providerMessageID: "A1"),
                Transition(to: .delivered, providerID: "smpp"),
                Transition(to: .queued, reason: "retry", notBefore: at(60)),
                Transition(to: .failed, reason: "rejected"),
            ]
            let updates = transitions.map {
                SQLiteStore.ApplySQL.text(for: $0, writesProvider: $0.providerID != nil, writesProviderMessage: true)
            }
            for sql in [claimUpdate] + updates {
                let opcodes = try connection.statement("EXPLAIN " + sql).rows { $0.text(1) }
                #expect(!opcodes.isEmpty)
                #expect(!opcodes.contains("OpenEphemeral"), "\(sql)")
            }
        }
    }

    /// A transition keeps every column it does not name, clears the lease when the message leaves
    /// `sending`, and sets `not_before` only when it queues the message again.
    @Test(arguments: [
        (Transition(to: .delivered, providerID: "smpp", reason: "DELIVRD"), "smpp", "A1", nil as Date?),
        (Transition(to: .failed, reason: "rejected"), "smpp", "A1", nil),
        (Transition(to: .queued, reason: "retry", notBefore: at(90)), "smpp", "A1", at(90)),
        (Transition(to: .sent, providerID: "modem", providerMessageID: "B7"), "modem", "B7", nil),
    ])
    func transitionWritesWhatItNames(
        transition: Transition,
        provider: String,
        providerMessageID: String,
        notBefore: Date?
    ) async throws {
        try await withStore { store, path in
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await store.claimBatch(now: at(1), lease: 60, limit: 1)
            let attempt = try await store.beginAttempt(messageID: id, providerID: "smpp", now: at(2))
            try await store.finishAttempt(
                attempt,
                outcome: .accepted,
                providerMessageID: "A1",
                detail: nil,
                then: (id, Transition(to: .sent, providerID: "smpp", providerMessageID: "A1")),
                now: at(3)
            )
            // A receipt-style write passes the row it read, so equal provider columns are skipped.
            let found = try await store.findMessage(providerID: "smpp", providerMessageID: "A1", now: at(4)) { _ in
                transition
            }
            #expect(found?.stored == transition)

            let message = try #require(try await store.message(id))
            #expect(message.state == transition.state)
            #expect(message.providerID == provider)
            #expect(message.providerMessageID == providerMessageID)
            #expect(message.notBefore == notBefore)
            #expect(message.lastReason == transition.reason)
            #expect(message.attempts == 1)
            let connection = try SQLiteConnection(path: path)
            let lease = try connection.statement("SELECT lease_until, claim_owner FROM sms_queue WHERE id = ?1")
                .firstRow([.integer(id)]) { [$0.isNull(0), $0.isNull(1)] }
            #expect(lease == [true, true])
            #expect(try await store.events(for: id).last?.state == transition.state)
        }
    }

    /// The messages a claim returns equal what a read of their rows returns afterwards.
    @Test func claimedRecordsMatchTheirRows() async throws {
        try await withStore { store, _ in
            let ids = try await store.enqueue((1...5).map { submission($0) }, now: epoch)
            let claimed = try await store.claimBatch(now: at(1.2345), lease: 60, limit: 3, owner: ClaimOwner(id: "box-a"))
            #expect(claimed.map(\.id) == Array(ids.prefix(3)))
            for message in claimed {
                #expect(try await store.message(message.id) == message)
            }
        }
    }
}
