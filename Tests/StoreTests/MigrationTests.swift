import Foundation
import Testing

@testable import Store

@Suite struct MigrationTests {
    /// Opening an empty file creates every table at the latest schema version, in WAL mode.
    @Test func migratesEmptyFile() async throws {
        try await withStore { _, path in
            let connection = try SQLiteConnection(path: path)
            #expect(try connection.userVersion() == StoreMigrations.latestVersion)
            let tables = try connection.statement(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).rows { $0.text(0) }
            #expect(tables == ["broadcasts", "contact_groups", "contacts", "group_members", "inbound_messages", "lifeline_boxes", "sms_attempts", "sms_daily_summary", "sms_events", "sms_queue"])
            let indexes = try connection.statement("SELECT name FROM sqlite_master WHERE type = 'index'").rows {
                $0.text(0)
            }
            #expect(indexes.contains("sms_queue_claim"))
            #expect(indexes.contains("sms_queue_provider_message"))
            let mode = try connection.statement("PRAGMA journal_mode").firstRow { $0.text(0) }
            #expect(mode == "wal")
        }
    }

    /// Several stores opening one new file at once, as the daemon and a CLI command do, all
    /// succeed. On a new file, the switch to WAL mode returns `busy` at once to all but one of
    /// them, so the race runs on 30 new files to make it likely.
    @Test func concurrentFirstOpens() async throws {
        try await withTemporaryDirectory { directory in
            for round in 0..<30 {
                let path = directory + "/queue-\(round).sqlite"
                let stores = try await withThrowingTaskGroup(of: SQLiteStore.self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await SQLiteStore(path: path, notifiesWakeListener: false) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(stores.count == 4)
                let ids = try await stores[0].enqueue([submission(1)], now: epoch)
                #expect(try await stores[3].message(ids[0]) != nil)
                for store in stores { await store.close() }
            }
        }
    }

    /// Reopening a migrated file applies nothing again and keeps the rows.
    @Test func reopenIsIdempotent() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let first = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let ids = try await first.enqueue([submission(1)], now: epoch)
            await first.close()

            for _ in 0..<2 {
                let again = try await SQLiteStore(path: path, notifiesWakeListener: false)
                #expect(try await again.message(ids[0])?.text == "message 1")
                await again.close()
            }
            let connection = try SQLiteConnection(path: path)
            #expect(try connection.userVersion() == StoreMigrations.latestVersion)
        }
    }

    /// A file from a newer schema is refused with both versions named, and left unchanged.
    @Test func refusesNewerSchema() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let connection = try SQLiteConnection(path: path)
            try connection.setUserVersion(StoreMigrations.latestVersion + 1)
            connection.close()
            await #expect(throws: StoreError.schemaTooNew(
                path: path,
                found: StoreMigrations.latestVersion + 1,
                supported: StoreMigrations.latestVersion
            )) {
                _ = try await SQLiteStore(path: path, notifiesWakeListener: false)
            }
        }
    }
}
