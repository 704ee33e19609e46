import Foundation
import Testing

@testable import Store

@Suite struct ContactStoreTests {
    /// A second import of a known number updates the contact (name replaced, variables merged)
    /// instead of adding one, and adds it to the second group too.
    @Test func importUpsertsByNumberAndAddsMembership() async throws {
        try await withStore { store, _ in
            let first = try await store.importContacts(
                [
                    ContactImport(number: "+447700900001", name: "Ann", variables: ["seat": "A1", "team": "red"]),
                    ContactImport(number: "+447700900002", name: "Bob"),
                ],
                intoGroup: "attendees",
                now: epoch
            )
            #expect(first == [.inserted, .inserted])

            let second = try await store.importContacts(
                [
                    ContactImport(number: "+447700900001", name: "Ann Lee", variables: ["seat": "B7"]),
                    ContactImport(number: "+447700900003", name: nil),
                ],
                intoGroup: "staff",
                now: at(10)
            )
            #expect(second == [.updated, .inserted])

            let all = try await store.allContacts()
            #expect(all.map(\.number) == ["+447700900001", "+447700900002", "+447700900003"])
            #expect(all[0].name == "Ann Lee")
            #expect(all[0].variables == ["seat": "B7", "team": "red"])
            #expect(all[0].createdAt == epoch)

            let attendees = try #require(try await store.contacts(inGroup: "attendees"))
            #expect(attendees.map(\.number) == ["+447700900001", "+447700900002"])
            let staff = try #require(try await store.contacts(inGroup: "staff"))
            #expect(staff.map(\.number) == ["+447700900001", "+447700900003"])
        }
    }

    /// Re-importing the same rows into a group keeps one membership each; counts are per group.
    @Test func groupsListWithCounts() async throws {
        try await withStore { store, _ in
            let rows = (1...3).map { ContactImport(number: "+44770090000\($0)") }
            _ = try await store.importContacts(rows, intoGroup: "b-team", now: epoch)
            _ = try await store.importContacts(rows, intoGroup: "b-team", now: epoch)
            _ = try await store.importContacts(Array(rows.prefix(1)), intoGroup: "a-team", now: epoch)

            let groups = try await store.contactGroups()
            #expect(groups.map(\.name) == ["a-team", "b-team"])
            #expect(groups.map(\.memberCount) == [1, 3])
        }
    }

    /// Deleting a group removes its memberships but keeps the contacts; an unknown group is `nil`.
    @Test func deleteGroupKeepsContacts() async throws {
        try await withStore { store, _ in
            _ = try await store.importContacts([ContactImport(number: "+447700900001")], intoGroup: "drill", now: epoch)
            #expect(try await store.deleteContactGroup("drill"))
            #expect(try await store.deleteContactGroup("drill") == false)
            #expect(try await store.contacts(inGroup: "drill") == nil)
            #expect(try await store.contactGroups().isEmpty)
            #expect(try await store.allContacts().count == 1)
        }
    }

    /// Names and variables holding quotes, SQL and non-Latin text are stored as given.
    @Test func hostileValuesRoundTrip() async throws {
        try await withStore { store, _ in
            let name = "Robert'); DROP TABLE contacts;--"
            let variables = ["note": "say \"hi\"", "ville": "Zürich ✓", "{x}": "}{"]
            _ = try await store.importContacts(
                [ContactImport(number: "+447700900001", name: name, variables: variables)],
                intoGroup: "g'; --",
                now: epoch
            )
            let contact = try #require(try await store.contacts(inGroup: "g'; --")?.first)
            #expect(contact.name == name)
            #expect(contact.variables == variables)
        }
    }

    /// A group of 100,000 contacts imports in one transaction and lists back in order.
    @Test func hundredThousandContacts() async throws {
        try await withStore { store, _ in
            let rows = (0..<100_000).map { ContactImport(number: "+4477009\(String(format: "%05d", $0))", name: "P\($0)") }
            let outcomes = try await store.importContacts(rows, intoGroup: "everyone", now: epoch)
            #expect(outcomes.count == 100_000)
            #expect(outcomes.allSatisfy { $0 == .inserted })
            #expect(try await store.contactGroups().first?.memberCount == 100_000)
        }
    }

    /// A broadcast created twice under one key is queued once; the second call replays the first.
    @Test func broadcastIdempotencyKey() async throws {
        try await withStore { store, _ in
            let submissions = (0..<3).map { submission($0) }
            let first = try await store.createBroadcast(
                name: "drill", text: "t", submissions: submissions, idempotencyKey: "evac-1", now: epoch
            )
            let second = try await store.createBroadcast(
                name: "drill", text: "t", submissions: submissions, idempotencyKey: "evac-1", now: at(1)
            )
            #expect(first.isReplay == false)
            #expect(second.isReplay)
            #expect(second.broadcastID == first.broadcastID)
            #expect(second.messageIDs == first.messageIDs)
            #expect(try await store.broadcasts(limit: 10).count == 1)
            #expect(try await store.messages(limit: 10).count == 3)
            #expect(try await store.broadcastID(idempotencyKey: "evac-1") == first.broadcastID)
            #expect(try await store.broadcastID(idempotencyKey: "other") == nil)
        }
    }

    /// A file at schema version 1 gains the contact tables and the broadcast key column, keeping
    /// its broadcasts and messages.
    @Test func migratesVersionOneFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            do {
                let connection = try SQLiteConnection(path: path)
                try connection.execute(sql: StoreMigrations.all[0].sql)
                try connection.setUserVersion(1)
                try connection.execute("INSERT INTO broadcasts (name, text, created_at) VALUES ('old', 'Leave', 0)")
            }
            let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
            #expect(try await store.broadcasts(limit: 5).map(\.name) == ["old"])
            _ = try await store.importContacts([ContactImport(number: "+447700900001")], intoGroup: "g", now: epoch)
            #expect(try await store.contactGroups().map(\.memberCount) == [1])
            await store.close()
            #expect(try SQLiteConnection(path: path).userVersion() == StoreMigrations.latestVersion)
        }
    }
}
