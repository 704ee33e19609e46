import Foundation
import Testing

@testable import Store

@Suite struct HostileStringTests {
    static let hostile = [
        "'); DROP TABLE sms_queue;--",
        "O'Brien said \"hi\"; then left",
        "a\0b\0",
        "\0",
        "",
        "line\nbreak\r\ttab \\ backslash % _",
        "Zoë 👋 € {} [] ~",
    ]

    /// Every text field stored by the store reads back unchanged, and no hostile value alters the schema.
    @Test(arguments: hostile)
    func textFieldsRoundTrip(value: String) async throws {
        try await withStore { store, path in
            let id = try await store.enqueue(
                [Submission(recipient: value, text: value, priority: .high, idempotencyKey: value)],
                now: epoch
            )[0]
            #expect(try await store.enqueue([Submission(recipient: "+1", text: "x", idempotencyKey: value)], now: epoch) == [id])
            _ = try await store.claimNext(now: at(1), lease: 60)
            let attempt = try await store.beginAttempt(messageID: id, providerID: value, now: at(2))
            try await store.finishAttempt(attempt, outcome: .accepted, providerMessageID: value, detail: value, now: at(3))
            try await store.transition(
                id,
                Transition(to: .sent, providerID: value, providerMessageID: value, reason: value),
                now: at(4)
            )

            let message = try #require(try await store.findMessage(providerID: value, providerMessageID: value))
            #expect(message.id == id)
            #expect(message.recipient == value)
            #expect(message.text == value)
            #expect(message.idempotencyKey == value)
            #expect(message.providerID == value)
            #expect(message.providerMessageID == value)
            #expect(message.lastReason == value)
            let stored = try #require(try await store.attempts(for: id).first)
            #expect(stored.providerID == value)
            #expect(stored.providerMessageID == value)
            #expect(stored.detail == value)
            #expect(try await store.events(for: id).last?.reason == value)

            let broadcast = try await store.createBroadcast(
                name: value,
                text: value,
                submissions: [Submission(recipient: value, text: value)],
                now: at(5)
            )
            let record = try #require(try await store.broadcast(broadcast.broadcastID))
            #expect(record.name == value)
            #expect(record.text == value)
            #expect(try await store.message(broadcast.messageIDs[0])?.text == value)

            let connection = try SQLiteConnection(path: path)
            let tables = try connection.statement("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").firstRow {
                $0.int(0)
            }
            #expect(tables == 11)  // ten tables and sqlite_sequence
        }
    }
}
