import Foundation
import Testing

@testable import Store

/// Wake-ups through LISTEN/NOTIFY between stores on one database.
@Suite struct PostgresWakeTests {
    /// An enqueue by another store wakes the listener, a transition back to the queue does too,
    /// and close finishes the stream.
    @Test func notifyWakesListenerOfAnotherStore() async throws {
        try await withPostgres(count: 2) { set, _, _ in
            let daemon = try #require(set.stores[0] as? PostgresStore)
            let cli = set.stores[1]
            let listener = try await daemon.makeWakeListener()
            let id = try await cli.enqueue([submission(1)], now: epoch)[0]
            #expect(await nextElement(of: listener.wakeUps, within: 10))
            #expect(try await daemon.claimNext(now: at(1), lease: 60)?.id == id)

            try await cli.transition(id, Transition(to: .queued, reason: "throttled"), now: at(2))
            #expect(await nextElement(of: listener.wakeUps, within: 10))

            listener.close()
            var iterator = listener.wakeUps.makeAsyncIterator()
            while await iterator.next() != nil {}
        }
    }

    /// A listener whose session the server ends reconnects, yields a wake-up for what it may have
    /// missed, and then receives notifications again.
    @Test func listenerReconnectsAfterLostSession() async throws {
        try await withPostgres { set, server, database in
            let store = try #require(set.stores[0] as? PostgresStore)
            let listener = try await store.makeWakeListener()
            defer { listener.close() }
            let ended = try await server.rows(
                database: "postgres",
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = $1::text AND application_name = 'lifeline.wake'
                """,
                [.text(database)]
            )
            try #require(ended.count == 1)
            #expect(await nextElement(of: listener.wakeUps, within: 20))

            _ = try await store.enqueue([submission(1)], now: epoch)
            #expect(await nextElement(of: listener.wakeUps, within: 10))
        }
    }
}
