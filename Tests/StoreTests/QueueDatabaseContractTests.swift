import Foundation
import Testing

@testable import Store

/// Broadcasts, contacts and received messages behave the same on SQLite and on PostgreSQL.
@Suite struct QueueDatabaseContractTests {
    /// Opens one store of `kind` as `QueueDatabase` and runs `body` on it.
    private func withDatabase(_ kind: StoreKind, _ body: (any QueueDatabase) async throws -> Void) async throws {
        try await withStores(kind) { set in
            let database = try #require(set.stores[0] as? any QueueDatabase)
            try await body(database)
        }
    }

    /// A broadcast's progress counts follow its messages; cancelling one message, then the
    /// broadcast, cancels only what is still queued and records the time once.
    @Test(arguments: StoreKind.allCases)
    func broadcastLifecycle(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { store in
            let submissions = (1...3).map { Submission(recipient: "+44770090000\($0)", text: "Drill", priority: .bulk) }
            let created = try await store.createBroadcast(name: "drill", text: "Drill", submissions: submissions, now: epoch)
            #expect(created.messageIDs.count == 3)
            let record = try #require(try await store.broadcast(created.broadcastID))
            #expect(record.name == "drill")
            #expect(record.countsByState == [.queued: 3])
            #expect(try await store.messages(inBroadcast: created.broadcastID).map(\.id) == created.messageIDs)
            #expect(try await store.broadcasts(limit: 10).map(\.id) == [created.broadcastID])

            #expect(try await store.cancelMessage(created.messageIDs[0], now: at(1)))
            #expect(try await store.cancelMessage(created.messageIDs[0], now: at(2)) == false)
            let cancelled = try await store.cancelBroadcast(created.broadcastID, now: at(3))
            #expect(cancelled == Array(created.messageIDs.dropFirst()))
            _ = try await store.cancelBroadcast(created.broadcastID, now: at(4))
            let after = try #require(try await store.broadcast(created.broadcastID))
            #expect(after.cancelledAt == at(3))
            #expect(after.countsByState == [.cancelled: 3])
            let reason = try await store.message(created.messageIDs[1])?.lastReason
            #expect(reason == SQLiteStore.cancelledReason)
            await #expect(throws: StoreError.broadcastNotFound(999)) {
                _ = try await store.cancelBroadcast(999, now: at(5))
            }
        }
    }

    /// A second broadcast under the same key queues nothing and returns the first one's ids.
    @Test(arguments: StoreKind.allCases)
    func broadcastReplay(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { store in
            let submissions = (1...2).map { Submission(recipient: "+44770090001\($0)", text: "Once", idempotencyKey: "m\($0)") }
            let first = try await store.createBroadcast(
                name: nil, text: "Once", submissions: submissions, idempotencyKey: "drill-1", now: epoch)
            let second = try await store.createBroadcast(
                name: nil, text: "Once", submissions: submissions + submissions, idempotencyKey: "drill-1", now: at(1))
            #expect(first.isReplay == false)
            #expect(second.isReplay)
            #expect(second.broadcastID == first.broadcastID)
            #expect(second.messageIDs == first.messageIDs)
            #expect(try await store.broadcastID(idempotencyKey: "drill-1") == first.broadcastID)
            #expect(try await store.broadcastID(idempotencyKey: "other") == nil)
            // The broadcast's key replaces the messages' own keys.
            #expect(try await store.message(first.messageIDs[0])?.idempotencyKey == nil)
        }
    }

    /// Contacts are upserted by number with merged variables, groups count members, and deleting
    /// a group keeps its contacts.
    @Test(arguments: StoreKind.allCases)
    func contacts(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { store in
            let first = try await store.importContacts(
                [
                    ContactImport(number: "+447700900001", name: "Ann", variables: ["seat": "A1", "team": "red"]),
                    ContactImport(number: "+447700900002", name: "Bob"),
                ],
                intoGroup: "attendees",
                now: epoch
            )
            let second = try await store.importContacts(
                [ContactImport(number: "+447700900001", name: nil, variables: ["seat": "B7"])],
                intoGroup: "staff",
                now: at(1)
            )
            #expect(first == [.inserted, .inserted])
            #expect(second == [.updated])
            let all = try await store.allContacts()
            #expect(all.map(\.number) == ["+447700900001", "+447700900002"])
            #expect(all[0].name == "Ann")
            #expect(all[0].variables == ["seat": "B7", "team": "red"])
            #expect(try await store.contactGroups().map(\.name) == ["attendees", "staff"])
            #expect(try await store.contactGroups().map(\.memberCount) == [2, 1])
            #expect(try await store.contacts(inGroup: "staff")?.map(\.number) == ["+447700900001"])
            #expect(try await store.deleteContactGroup("attendees"))
            #expect(try await store.deleteContactGroup("attendees") == false)
            #expect(try await store.contacts(inGroup: "attendees") == nil)
            #expect(try await store.allContacts().count == 2)
        }
    }

    /// Received messages list newest first with every field kept.
    @Test(arguments: StoreKind.allCases)
    func inbound(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { store in
            let older = InboundMessage(receivedAt: epoch, providerID: "modem-1", sender: "+447700900001", text: "YES")
            let newer = InboundMessage(
                receivedAt: at(5), providerID: "carrier", sender: "INFO", text: "Reply ✓", smscTimestamp: at(4), parts: 2)
            let olderID = try await store.recordInbound(older)
            let newerID = try await store.recordInbound(newer)
            let listed = try await store.inboundMessages(limit: 10)
            #expect(listed.map(\.id) == [newerID, olderID])
            #expect(listed.map(\.message) == [newer, older])
            #expect(try await store.inboundMessages(limit: 1).count == 1)
        }
    }
}
