import Foundation
import PostgresTestSupport
import Testing

@testable import Store

/// Opens stores on a new database of the shared test server and hands the body the server and
/// the database name.
func withPostgres<Result>(
    count: Int = 1,
    _ body: (StoreSet, PostgresTestServer, String) async throws -> Result
) async throws -> Result {
    let server = try await PostgresTestServer.shared()
    return try await withStores(.postgres, count: count) { set in
        try await body(set, server, try #require(set.database))
    }
}

/// What only the PostgreSQL store has: its migrations, its errors, its connection handling and
/// its per-node recovery.
@Suite struct PostgresStoreTests {
    /// A new database gets every table, and each schema version recorded once.
    @Test func migratesEmptyDatabase() async throws {
        try await withPostgres { _, server, database in
            let versions = try await server.rows(database: database, "SELECT version FROM lifeline_schema ORDER BY version")
            #expect(try versions.map { try $0.int(0) } == PostgresMigrations.all.map(\.version))
            let tables = try await server.rows(
                database: database,
                """
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'public' AND table_name <> 'lifeline_schema' ORDER BY table_name
                """
            )
            #expect(tables.map { $0.optionalText(0) } == [
                "broadcasts", "contact_groups", "contacts", "group_members", "inbound_messages", "lifeline_boxes", "sms_attempts",
                "sms_daily_summary", "sms_events", "sms_queue",
            ])
        }
    }

    /// Six stores opening one new database at once all succeed, and the schema is applied once.
    @Test func concurrentFirstOpens() async throws {
        let server = try await PostgresTestServer.shared()
        let database = try await server.makeDatabase()
        let url = server.url(database: database)
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for node in 0..<6 {
                group.addTask { try await PostgresStore(url: url, node: "node-\(node)") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 6)
        let id = try await stores[0].enqueue([submission(1)], now: epoch)[0]
        #expect(try await stores[5].message(id)?.text == "message 1")
        for store in stores { await store.close() }
        let count = try await server.integer(database: database, "SELECT COUNT(*) FROM lifeline_schema")
        #expect(count == Int64(PostgresMigrations.latestVersion))
        await server.dropDatabase(database)
    }

    /// A database with a schema version this code does not know is refused, naming both versions.
    @Test func refusesNewerSchema() async throws {
        try await withPostgres { set, server, database in
            _ = try await server.rows(database: database, "INSERT INTO lifeline_schema VALUES (99, 0)")
            let target = (set.stores[0] as? PostgresStore)?.target ?? ""
            await #expect(throws: StoreError.schemaTooNew(path: target, found: 99, supported: PostgresMigrations.latestVersion)) {
                _ = try await set.open(9)
            }
        }
    }

    /// When the event row cannot be written, the message keeps its old state: both are one transaction.
    @Test func transitionIsAtomic() async throws {
        try await withPostgres { set, server, database in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            _ = try await server.rows(
                database: database,
                """
                CREATE FUNCTION reject_sent_events() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'no sent events'; END $$;
                CREATE TRIGGER reject_sent_events BEFORE INSERT ON sms_events FOR EACH ROW
                WHEN (NEW.state = 'sent') EXECUTE FUNCTION reject_sent_events();
                """
            )
            let error = await #expect(throws: PostgresError.self) {
                try await store.transition(id, Transition(to: .sent, providerID: "smpp"), now: at(1))
            }
            #expect(error?.code == .raiseException)
            #expect(try await store.message(id)?.state == .queued)
            #expect(try await store.events(for: id).map(\.state) == [.queued])
        }
    }

    /// Text holding NUL is refused with its SQLSTATE before anything is written.
    @Test func refusesNulText() async throws {
        try await withPostgres { set, _, _ in
            let store = set.stores[0]
            let error = await #expect(throws: PostgresError.self) {
                _ = try await store.enqueue([submission(1), Submission(recipient: "+4477009", text: "a\0b")], now: epoch)
            }
            #expect(error?.code == .characterNotInRepertoire)
            let stored = try await store.messages(limit: 10)
            #expect(stored.isEmpty)
        }
    }

    /// A failing statement's error carries the SQLSTATE and the statement, and never a bound value.
    @Test func errorsCarryStatementWithoutValues() async throws {
        try await withPostgres { set, server, database in
            let secret = "+447700900123 secret text"
            let executor = PostgresExecutor(target: database)
            let url = server.url(database: database)
            try await executor.open { try PostgresConnection(conninfo: url) }
            let insert = """
                INSERT INTO sms_queue (recipient, text, priority, state, created_at, updated_at, idempotency_key)
                VALUES ($1::text, $1::text, 2, 'queued', 0, 0, 'same')
                """
            _ = try await executor.run { try $0.execute(insert, [.text(secret)]) }
            let error = await #expect(throws: PostgresError.self) {
                _ = try await executor.run { try $0.execute(insert, [.text(secret)]) }
            }
            await executor.close()
            #expect(error?.code == .uniqueViolation)
            #expect(error?.statement == insert)
            #expect(error.map { "\($0)".contains("secret") } == false)
            _ = set
        }
    }

    /// A wrong password fails to connect with the server named and the password left out.
    @Test func wrongPasswordIsRefused() async throws {
        let server = try await PostgresTestServer.shared()
        let url = "postgresql://\(PostgresTestServer.user):not-the-password@127.0.0.1:\(server.port)/postgres"
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresStore(url: url)
        }
        #expect(error?.code == .unableToConnect)
        #expect(error?.message.contains("127.0.0.1:\(server.port)/postgres") == true)
        #expect(error.map { "\($0)".contains("not-the-password") } == false)
    }

    /// After the server ends the store's session, the next call fails with a connection error,
    /// and the call after it reconnects and finds the committed rows.
    @Test func reconnectsAfterLostSession() async throws {
        try await withPostgres { set, server, database in
            let store = set.stores[0]
            let id = try await store.enqueue([submission(1)], now: epoch)[0]
            let ended = try await server.rows(
                database: "postgres",
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = $1::text AND application_name = 'lifeline'
                """,
                [.text(database)]
            )
            try #require(ended.count == 1)
            let error = await #expect(throws: PostgresError.self) {
                _ = try await store.message(id)
            }
            #expect(error?.code.isConnectionLoss == true)
            #expect(try await store.message(id)?.text == "message 1")
        }
    }

    /// A claim passes over a message another transaction has locked and takes the next one, without waiting.
    @Test(.timeLimit(.minutes(1)))
    func claimSkipsLockedMessage() async throws {
        try await withPostgres { set, server, database in
            let store = set.stores[0]
            let ids = try await store.enqueue([submission(1), submission(2)], now: epoch)
            let locker = PostgresExecutor(target: database)
            let url = server.url(database: database)
            try await locker.open { try PostgresConnection(conninfo: url) }
            _ = try await locker.run { connection in
                try connection.execute(sql: "BEGIN")
                return try connection.execute("SELECT id FROM sms_queue WHERE id = $1::bigint FOR UPDATE", [.integer(ids[0])])
            }

            #expect(try await store.claimNext(now: at(1), lease: 60)?.id == ids[1])
            _ = try await locker.run { try $0.execute(sql: "ROLLBACK") }
            #expect(try await store.claimNext(now: at(1), lease: 60)?.id == ids[0])
            await locker.close()
        }
    }

    /// Without PostgreSQL's binaries the test server fails with a message naming the bootstrap script.
    @Test func missingBinariesNameBootstrap() throws {
        let error = #expect(throws: LocalPostgresServerError.self) {
            _ = try LocalPostgresServer.findBinaries(under: "/nonexistent/postgresql")
        }
        #expect(error?.description.contains("bash deploy/bootstrap.sh") == true)
    }

    /// Recovery after a restart touches only the restarted node's claims; another node's claim
    /// and open attempt stay as they are until its lease runs out.
    @Test func recoveryLeavesOtherNodesClaims() async throws {
        try await withPostgres(count: 2) { set, _, _ in
            let (first, second) = (set.stores[0], set.stores[1])
            let ids = try await first.enqueue([submission(1), submission(2)], now: epoch)
            #expect(try await first.claimNext(now: at(1), lease: 60)?.id == ids[0])
            _ = try await first.beginAttempt(messageID: ids[0], providerID: "modem-a", now: at(2))
            #expect(try await second.claimNext(now: at(1), lease: 60)?.id == ids[1])
            _ = try await second.beginAttempt(messageID: ids[1], providerID: "modem-b", now: at(2))

            let restarted = try await set.open(1)
            #expect(try await restarted.recoverInterruptedAttempts(now: at(10)) == [ids[0]])
            #expect(try await restarted.message(ids[1])?.state == .sending)
            #expect(try await restarted.attempts(for: ids[1]).first?.outcome == nil)
            await closeStore(restarted)
        }
    }
}
