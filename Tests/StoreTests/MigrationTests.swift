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
            #expect(tables == ["broadcasts", "sms_attempts", "sms_daily_summary", "sms_events", "sms_queue"])
            let indexes = try connection.statement("SELECT name FROM sqlite_master WHERE type = 'index'").rows {
                $0.text(0)
            }
            #expect(indexes.contains("sms_queue_claim"))
            #expect(indexes.contains("sms_queue_provider_message"))
            let mode = try connection.statement("PRAGMA journal_mode").firstRow { $0.text(0) }
            #expect(mode == "wal")
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
