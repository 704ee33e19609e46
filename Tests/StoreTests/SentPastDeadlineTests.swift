import Foundation
import PostgresTestSupport
import Testing

@testable import Store

/// `sentMessagesPastDeadline`: the `sent` messages whose delivery deadline has passed, by
/// priority cutoff and provider, oldest first, through the partial index `sms_queue_sent_deadline`.
@Suite struct SentPastDeadlineTests {
    /// Queues one message of `priority`, sends it through `providerID` at `time` and returns its id.
    static func sent(
        _ number: Int,
        _ priority: Priority,
        through providerID: String,
        at time: Date,
        on store: any MessageStore
    ) async throws -> MessageID {
        let id = try await store.enqueue([submission(number, priority)], now: time)[0]
        let claimed = try #require(try await store.claimNext(now: time, lease: 60))
        try #require(claimed.id == id)
        let attempt = try await store.beginAttempt(messageID: id, providerID: providerID, now: time)
        try await store.finishAttempt(
            attempt,
            outcome: .accepted,
            providerMessageID: "P\(number)",
            detail: nil,
            then: (id, Transition(to: .sent, providerID: providerID, providerMessageID: "P\(number)")),
            now: time
        )
        return id
    }

    /// The messages of the table below, by name.
    struct Fixture {
        var ids: [String: MessageID] = [:]

        func names(_ messages: [MessageRecord]) -> [String] {
            messages.map { message in ids.first { $0.value == message.id }?.key ?? "?" }
        }
    }

    /// Stores `sent` messages of several priorities and providers, and one `delivered` one.
    static func fixture(on store: any MessageStore) async throws -> Fixture {
        var fixture = Fixture()
        let rows: [(String, Priority, String, TimeInterval)] = [
            ("normal-0", .normal, "carrier", 0),
            ("normal-10", .normal, "carrier", 10),
            ("modem-5", .normal, "modem", 5),
            ("high-20", .high, "carrier", 20),
            ("cloud-high-30", .high, "cloud", 30),
            ("normal-100", .normal, "carrier", 100),
            ("bulk-0", .bulk, "carrier", 0),
            ("delivered-1", .normal, "carrier", 1),
        ]
        for (number, row) in rows.enumerated() {
            fixture.ids[row.0] = try await sent(number + 1, row.1, through: row.2, at: at(row.3), on: store)
        }
        try await store.transition(
            try #require(fixture.ids["delivered-1"]),
            Transition(to: .delivered, providerID: "carrier"),
            now: at(1)
        )
        return fixture
    }

    static let providers: Set<String> = ["carrier", "cloud"]

    /// Each priority's cutoff, the provider filter and the limit pick the right messages, oldest first.
    @Test(arguments: StoreKind.allCases)
    func cutoffsProvidersAndLimit(_ kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let fixture = try await Self.fixture(on: store)

            let due = try await store.sentMessagesPastDeadline(
                cutoffs: [.normal: at(50), .high: at(25)],
                providerIDs: Self.providers,
                limit: 10
            )
            #expect(fixture.names(due) == ["normal-0", "normal-10", "high-20"])

            let atCutoff = try await store.sentMessagesPastDeadline(
                cutoffs: [.high: at(30)],
                providerIDs: Self.providers,
                limit: 10
            )
            #expect(fixture.names(atCutoff) == ["high-20", "cloud-high-30"])

            let limited = try await store.sentMessagesPastDeadline(
                cutoffs: [.normal: at(50), .high: at(25)],
                providerIDs: Self.providers,
                limit: 2
            )
            #expect(fixture.names(limited) == ["normal-0", "normal-10"])

            let modem = try await store.sentMessagesPastDeadline(
                cutoffs: [.normal: at(1000)],
                providerIDs: ["modem"],
                limit: 10
            )
            #expect(fixture.names(modem) == ["modem-5"])

            let none = try await store.sentMessagesPastDeadline(cutoffs: [:], providerIDs: Self.providers, limit: 10)
            #expect(none.isEmpty)
        }
    }

    /// A cursor per priority continues after the last message a sweep was given, and leaves the
    /// other priorities from their start.
    @Test(arguments: StoreKind.allCases)
    func cursorContinuesPerPriority(_ kind: StoreKind) async throws {
        try await withStores(kind) { set in
            let store = set.stores[0]
            let fixture = try await Self.fixture(on: store)
            let firstID = try #require(fixture.ids["normal-0"])
            let first = try #require(try await store.message(firstID))

            let rest = try await store.sentMessagesPastDeadline(
                cutoffs: [.normal: at(1000), .high: at(1000), .bulk: at(1000)],
                providerIDs: Self.providers,
                after: [.normal: SentMessageCursor(first)],
                limit: 10
            )
            #expect(fixture.names(rest) == ["bulk-0", "normal-10", "high-20", "cloud-high-30", "normal-100"])

            // Two messages with the same update time are ordered by id.
            let sameTime = try await Self.sent(20, .normal, through: "carrier", at: at(10), on: store)
            let secondID = try #require(fixture.ids["normal-10"])
            let second = try #require(try await store.message(secondID))
            let after = try await store.sentMessagesPastDeadline(
                cutoffs: [.normal: at(10)],
                providerIDs: Self.providers,
                after: [.normal: SentMessageCursor(second)],
                limit: 10
            )
            #expect(after.map(\.id) == [sameTime])
        }
    }

    /// SQLite reads through the partial index, with one search per provider and priority, no scan
    /// of the queue table and no sort.
    @Test func sqlitePlanUsesIndex() async throws {
        try await withStore { store, path in
            _ = try await Self.fixture(on: store)
            let connection = try SQLiteConnection(path: path)
            defer { connection.close() }
            let details = try connection.statement(
                "EXPLAIN QUERY PLAN " + SQLiteStore.sentPastDeadlineStatement(count: 3)
            ).rows { $0.text(3) }
            let searches = details.filter { $0.contains("USING INDEX sms_queue_sent_deadline") }
            #expect(searches.count == 3)
            #expect(details.allSatisfy { !$0.hasPrefix("SCAN sms_queue") })
            #expect(details.allSatisfy { !$0.contains("TEMP B-TREE") })
        }
    }

    /// A file at schema version 7 gets the index when opened, and its `sent` messages are found.
    @Test func sqliteMigratesFromVersion7() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let connection = try SQLiteConnection(path: path)
            for migration in StoreMigrations.all where migration.version <= 7 {
                try connection.execute(sql: migration.sql)
            }
            try connection.setUserVersion(7)
            try connection.execute(
                sql: """
                    INSERT INTO sms_queue (recipient, text, priority, state, provider_id, provider_message_id,
                        created_at, updated_at)
                    VALUES ('+447700900001', 'x', 2, 'sent', 'carrier', 'P1', 0, 1000)
                    """
            )
            connection.close()

            let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let found = try await store.sentMessagesPastDeadline(
                cutoffs: [.normal: Date(timeIntervalSince1970: 1)],
                providerIDs: ["carrier"],
                limit: 10
            )
            #expect(found.map(\.providerMessageID) == ["P1"])
            await store.close()

            let check = try SQLiteConnection(path: path)
            defer { check.close() }
            #expect(try check.userVersion() == 8)
            let indexes = try check.statement(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sms_queue_sent_deadline'"
            ).rows { $0.text(0) }
            #expect(indexes == ["sms_queue_sent_deadline"])
        }
    }

    /// A PostgreSQL database at schema version 7 gets the index when a store opens it.
    @Test func postgresMigratesFromVersion7() async throws {
        let server = try await PostgresTestServer.shared()
        let database = try await server.makeDatabase()
        let older = PostgresMigrations.all.filter { $0.version <= 7 }
        let versions = older.map { "(\($0.version), 0)" }.joined(separator: ", ")
        _ = try await server.rows(
            database: database,
            older.map(\.sql).joined(separator: ";\n") + """
                ;
                CREATE TABLE lifeline_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
                INSERT INTO lifeline_schema (version, applied_at) VALUES \(versions);
                INSERT INTO sms_queue (recipient, text, priority, state, provider_id, provider_message_id,
                    created_at, updated_at)
                VALUES ('+447700900001', 'x', 2, 'sent', 'carrier', 'P1', 0, 1000);
                """
        )
        let store = try await PostgresStore(url: server.url(database: database), node: "node-1")
        let found = try await store.sentMessagesPastDeadline(
            cutoffs: [.normal: Date(timeIntervalSince1970: 1)],
            providerIDs: ["carrier"],
            limit: 10
        )
        await store.close()
        #expect(found.map(\.providerMessageID) == ["P1"])
        let index = try await server.integer(
            database: database,
            "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'sms_queue_sent_deadline'"
        )
        #expect(index == 1)
        let latest = try await server.integer(database: database, "SELECT MAX(version) FROM lifeline_schema")
        #expect(latest == 8)
        await server.dropDatabase(database)
    }
}
