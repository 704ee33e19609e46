import Foundation
import Testing

@testable import Store

@Suite struct QueueWakeTests {
    /// A notification reaches the listener bound for the same database; close removes the socket file.
    @Test func notifierWakesListener() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory + "/queue.sqlite"
            let listener = try QueueWakeListener(databasePath: database)
            #expect(listener.socketPath == QueueWakeAddress.canonicalPath(database) + ".wake")
            #expect(FileManager.default.fileExists(atPath: listener.socketPath))

            QueueNotifier(databasePath: database).notify()
            #expect(await nextElement(of: listener.wakeUps, within: 10))

            listener.close()
            var iterator = listener.wakeUps.makeAsyncIterator()
            while await iterator.next() != nil {}
            #expect(!FileManager.default.fileExists(atPath: listener.socketPath))
        }
    }

    /// Notifying with nobody listening does nothing and does not fail.
    @Test func notifyWithoutListener() async throws {
        try await withTemporaryDirectory { directory in
            let notifier = QueueNotifier(databasePath: directory + "/queue.sqlite")
            notifier.notify()
            #expect(!FileManager.default.fileExists(atPath: notifier.socketPath))
        }
    }

    /// A store's enqueue from another connection (as the CLI would) wakes the daemon's listener.
    @Test func enqueueFromAnotherStoreWakesListener() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory + "/queue.sqlite"
            let daemon = try await SQLiteStore(path: database, notifiesWakeListener: false)
            let listener = try QueueWakeListener(databasePath: database)
            defer { listener.close() }
            let cli = try await SQLiteStore(path: database)
            let id = try await cli.enqueue([submission(1)], now: epoch)[0]
            #expect(await nextElement(of: listener.wakeUps, within: 10))
            #expect(try await daemon.claimNext(now: at(1), lease: 60)?.id == id)
            await cli.close()
            await daemon.close()
        }
    }

    /// A socket file left by a dead daemon is replaced; a live listener is not.
    @Test func staleSocketIsReplacedLiveOneIsNot() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory + "/queue.sqlite"
            let path = QueueWakeAddress.socketPath(forDatabase: database)

            // Bind and close without unlinking, as a killed process leaves it.
            let stale = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = QueueWakeAddress.socketAddress(path)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            try #require(bound == 0)
            close(stale)

            let listener = try QueueWakeListener(databasePath: database)
            #expect(throws: QueueWakeError.alreadyListening(path: path)) {
                _ = try QueueWakeListener(databasePath: database)
            }
            QueueNotifier(databasePath: database).notify()
            #expect(await nextElement(of: listener.wakeUps, within: 10))
            listener.close()
        }
    }

    /// A regular file at the socket path is left alone and reported.
    @Test func refusesNonSocketFile() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory + "/queue.sqlite"
            let path = QueueWakeAddress.socketPath(forDatabase: database)
            try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: QueueWakeError.notASocket(path: path)) {
                _ = try QueueWakeListener(databasePath: database)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("keep".utf8))
        }
    }

    /// A database path too long for sun_path falls back to a hashed path under /tmp that still works.
    @Test func longPathFallsBackToTmp() async throws {
        try await withTemporaryDirectory { directory in
            let deep = directory + "/" + String(repeating: "d", count: 120)
            try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
            let database = deep + "/queue.sqlite"
            let path = QueueWakeAddress.socketPath(forDatabase: database)
            #expect(path.hasPrefix("/tmp/lifeline-"))
            #expect(path.utf8.count <= QueueWakeAddress.maximumPathLength)
            #expect(path != QueueWakeAddress.socketPath(forDatabase: deep + "/other.sqlite"))

            let listener = try QueueWakeListener(databasePath: database)
            QueueNotifier(databasePath: database).notify()
            #expect(await nextElement(of: listener.wakeUps, within: 10))
            listener.close()
        }
    }

    /// The derived path does not depend on how the database path is spelled.
    @Test func pathIsCanonical() async throws {
        try await withTemporaryDirectory { directory in
            let plain = QueueWakeAddress.socketPath(forDatabase: directory + "/queue.sqlite")
            let dotted = QueueWakeAddress.socketPath(forDatabase: directory + "/./sub/../queue.sqlite")
            #expect(plain == dotted)
        }
    }
}
