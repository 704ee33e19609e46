import Foundation
import Testing

@testable import Store

/// Makes `path` unwritable for this process: an immutable flag when running as root (who ignores
/// permission bits), mode 0555 or 0444 otherwise. Returns the undo step.
private func makeUnwritable(_ path: String, isDirectory: Bool) throws -> () -> Void {
    if geteuid() == 0 {
        try #require(try chattr("+i", path) == 0, "chattr +i failed on \(path)")
        return { _ = try? chattr("-i", path) }
    }
    chmod(path, isDirectory ? 0o555 : 0o444)
    return { chmod(path, isDirectory ? 0o755 : 0o644) }
}

@Suite(.serialized) struct FailureTests {
    /// A database file that cannot be written is refused at open with a read-only error naming it.
    @Test func readOnlyFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            await store.close()

            let undo = try makeUnwritable(path, isDirectory: false)
            defer { undo() }
            await #expect(throws: StoreError.readOnlyFile(path: path)) {
                _ = try await SQLiteStore(path: path, notifiesWakeListener: false)
            }
            undo()
            let reopened = try await SQLiteStore(path: path, notifiesWakeListener: false)
            #expect(try await reopened.message(id)?.text == "message 1")
            await reopened.close()
        }
    }

    /// A directory that cannot be written is named in the error, for a new file and an existing one.
    @Test func readOnlyDirectory() async throws {
        try await withTemporaryDirectory { parent in
            let directory = parent + "/data"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            let existing = directory + "/queue.sqlite"
            let store = try await SQLiteStore(path: existing, notifiesWakeListener: false)
            _ = try await store.enqueue([submission(1)], now: epoch)
            await store.close()

            let undo = try makeUnwritable(directory, isDirectory: true)
            defer { undo() }
            let fresh = directory + "/new.sqlite"
            await #expect(throws: StoreError.readOnlyDirectory(path: fresh, directory: directory)) {
                _ = try await SQLiteStore(path: fresh, notifiesWakeListener: false)
            }
            await #expect(throws: StoreError.readOnlyDirectory(path: existing, directory: directory)) {
                _ = try await SQLiteStore(path: existing, notifiesWakeListener: false)
            }
        }
    }

    /// A file that is not a SQLite database is reported as damaged, with the path and the way out,
    /// and is left as it was.
    @Test func corruptFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let garbage = Data(repeating: 0x5A, count: 8192)
            try garbage.write(to: URL(fileURLWithPath: path))
            var caught: StoreError?
            do {
                _ = try await SQLiteStore(path: path, notifiesWakeListener: false)
            } catch let error as StoreError {
                caught = error
            }
            guard case .corrupt(let reportedPath, _) = try #require(caught) else {
                Issue.record("expected .corrupt, got \(String(describing: caught))")
                return
            }
            #expect(reportedPath == path)
            #expect(caught?.description.contains(".recover") == true)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
        }
    }

    /// A closed store refuses further calls.
    @Test func closedStoreThrows() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/queue.sqlite"
            let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
            await store.close()
            await #expect(throws: StoreError.closed(path: path)) {
                _ = try await store.messages(limit: 1)
            }
        }
    }
}
