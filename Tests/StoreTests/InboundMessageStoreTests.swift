import Foundation
import Testing

@testable import Store

@Suite("Inbound messages")
struct InboundMessageStoreTests {
    /// Recorded messages come back newest first, limited, with every field as stored.
    @Test func recordAndListNewestFirst() async throws {
        try await withStore { store, _ in
            let messages = [
                InboundMessage(receivedAt: at(1), providerID: "modem-1", sender: "+447700900001", text: "first"),
                InboundMessage(
                    receivedAt: at(3),
                    providerID: "carrier",
                    sender: "LIFELINE",
                    text: "third",
                    smscTimestamp: at(2.5),
                    parts: 3
                ),
                InboundMessage(receivedAt: at(2), providerID: "modem-2", sender: "+447700900002", text: "second"),
            ]
            var ids: [Int64] = []
            for message in messages { ids.append(try await store.recordInbound(message)) }

            let listed = try await store.inboundMessages(limit: 2)
            #expect(listed.map(\.message.text) == ["third", "second"])
            #expect(listed[0] == InboundMessageRecord(id: ids[1], message: messages[1]))
            #expect(listed[1].message.smscTimestamp == nil)
            #expect(listed[1].message.parts == 1)
            #expect(try await store.inboundMessages(limit: 10).count == 3)
            #expect(try await store.inboundMessages(limit: 0).isEmpty)
        }
    }

    /// Messages received in the same millisecond list by id, the later one first.
    @Test func sameTimeOrderedByID() async throws {
        try await withStore { store, _ in
            let first = try await store.recordInbound(InboundMessage(receivedAt: at(5), providerID: "m", sender: "1", text: "a"))
            let second = try await store.recordInbound(InboundMessage(receivedAt: at(5), providerID: "m", sender: "1", text: "b"))
            #expect(try await store.inboundMessages(limit: 5).map(\.id) == [second, first])
        }
    }

    /// Text with NUL, quotes, emoji and SQL survives the round trip unchanged; parts below 1 store as 1.
    @Test func hostileTextRoundTrips() async throws {
        try await withStore { store, _ in
            let text = "a\u{0}b'); DROP TABLE inbound_messages; -- \"😀\"\nline"
            try await store.recordInbound(
                InboundMessage(receivedAt: at(0), providerID: "modem-1", sender: "+1", text: text, parts: 0)
            )
            let stored = try #require(try await store.inboundMessages(limit: 1).first)
            #expect(stored.message.text == text)
            #expect(stored.message.parts == 1)
        }
    }

    /// A file at schema version 2 gains the inbound table when opened, keeping its messages.
    @Test func migratesFromVersion2() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let connection = try SQLiteConnection(path: path)
            for migration in StoreMigrations.all where migration.version <= 2 {
                try connection.execute(sql: migration.sql)
            }
            try connection.setUserVersion(2)
            try connection.execute(
                sql: "INSERT INTO sms_queue (recipient, text, priority, state, created_at, updated_at) VALUES ('+1', 'x', 2, 'queued', 0, 0)"
            )
            connection.close()

            let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
            try await store.recordInbound(InboundMessage(receivedAt: at(0), providerID: "m", sender: "+1", text: "hi"))
            #expect(try await store.inboundMessages(limit: 1).count == 1)
            #expect(try await store.messages(limit: 10).count == 1)
            await store.close()
        }
    }
}
