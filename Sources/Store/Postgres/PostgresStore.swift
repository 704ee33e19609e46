import Diagnostics
import Foundation

/// The durable queue on a PostgreSQL database that several daemons share: messages, attempts
/// and events, with the same tables and the same semantics as `SQLiteStore`.
///
/// Every libpq call runs on one dedicated thread that owns the connection (`PostgresExecutor`);
/// the async methods wait for it without blocking the cooperative pool. Each method is one
/// transaction and commits before it returns. Claims lock the chosen row with
/// `FOR UPDATE SKIP LOCKED`, so stores on other connections, in this process or on other
/// machines, never claim the same message, and none waits for another's claim.
///
/// After a commit that makes work claimable (enqueue, a transition back to `queued`), the
/// transaction sends `NOTIFY` on `wakeChannel`; `makeWakeListener()` turns those into wake-ups.
///
/// Differences from `SQLiteStore`, each because the queue is shared:
/// - `recoverInterruptedAttempts` only touches messages this store's `node` claimed. Claims of
///   other daemons stay theirs until their lease runs out, and then any store takes them over.
///   Leases of claims with a `ClaimOwner` run on the database server's clock.
/// - Text holding NUL cannot be stored; such a call throws `PostgresError` with
///   `.characterNotInRepertoire` and writes nothing.
/// - Failures of the server or the connection throw `PostgresError`. A call that lost the
///   connection fails, whether or not its transaction committed; the next call reconnects.
///
/// Call `close()` when done; a store released without it closes its connection in the background.
public final class PostgresStore: MessageStore {
    /// The `NOTIFY` channel that announces claimable work.
    public static let wakeChannel = "lifeline_queue"

    /// The server and database, without the password.
    public let target: String
    /// The name this store writes into `claimed_by` when it claims, and by which it recovers its
    /// own claims after a restart. Daemons sharing a database need distinct names.
    public let node: String
    /// How long after a box's latest heartbeat its hand-offs lapse; see `BoxRegistry`.
    public let handoffWait: Duration
    let conninfo: String
    let executor: PostgresExecutor
    let logger: Logger

    /// Connects to the database at `url` (a `postgresql://` URL or a `key=value` connection
    /// string) and applies pending migrations under an advisory lock.
    ///
    /// - Parameters:
    ///   - node: this daemon's name among those sharing the database; the host name by default.
    ///   - handoffWait: how long after a box's latest heartbeat its hand-offs lapse (`BoxRegistry`).
    /// - Throws: `PostgresError` with `.unableToConnect` (the message names the server, never the
    ///   password); `StoreError.schemaTooNew`.
    public init(
        url: String,
        node: String = ProcessInfo.processInfo.hostName,
        handoffWait: Duration = .seconds(60),
        logger: Logger = .disabled
    ) async throws {
        let target = try PostgresConnection.describe(url)
        let executor = PostgresExecutor(target: target)
        do {
            try await executor.open {
                let connection = try PostgresConnection(conninfo: url, applicationName: "lifeline")
                try PostgresMigrations.migrate(connection, logger: logger)
                return connection
            }
        } catch {
            await executor.close()
            throw error
        }
        self.target = target
        self.node = node
        self.handoffWait = handoffWait
        self.conninfo = url
        self.executor = executor
        self.logger = logger
    }

    deinit {
        executor.closeSoon()
    }

    /// Closes the connection after the calls already under way. Later calls throw `StoreError.closed`.
    public func close() async {
        await executor.close()
    }

    /// Opens a second connection that listens on `wakeChannel` and yields a wake-up for each burst
    /// of notifications from any store on this database. See `PostgresWakeListener`.
    public func makeWakeListener() async throws -> PostgresWakeListener {
        try await PostgresWakeListener(url: conninfo, channel: Self.wakeChannel, logger: logger)
    }

    // MARK: MessageStore

    public func enqueue(_ submissions: [Submission], now: Date) async throws -> [MessageID] {
        let ids = try await executor.run { connection in
            try connection.transaction {
                let ids = try PostgresStore.insert(submissions, now: now, on: connection)
                if !ids.isEmpty { try PostgresStore.notifyListeners(on: connection) }
                return ids
            }
        }
        logger.trace("Enqueued messages", metadata: ["store.count": "\(ids.count)"])
        return ids
    }

    /// Claims the next message as `MessageStore` describes, in one transaction.
    ///
    /// Before choosing, the transaction takes over messages whose lease ran out (see
    /// `requeueExpiredLeases`), puts back `unknown` messages whose wait for a receipt ended (see
    /// `requeueEndedReceiptWaits`) and expires queued messages past `expiresAt`. The chosen row is
    /// locked with `FOR UPDATE SKIP LOCKED`: a message another store is claiming is passed over
    /// for the next one instead of waited for. A message handed off to another box that is still
    /// live is passed over too (`BoxRegistry`). Writes nothing when nothing is ready.
    ///
    /// The lease of a claim without an owner ends `lease` seconds after `now`, on this box's clock.
    public func claimNext(now: Date, lease: TimeInterval) async throws -> MessageRecord? {
        try await claimOne(now: now, lease: lease, owner: nil)
    }

    /// Claims as `claimNext(now:lease:)` does, up to `limit` messages each in its own transaction,
    /// and stores `owner` with each claim. Hand-offs to other boxes are passed over as there.
    ///
    /// The lease of such a claim is measured on the database server's clock (`now()` in SQL). It
    /// ends `lease` seconds after the server's time of the claim, and other stores take it over
    /// only when the server's clock has passed that time. So a step of any box's wall clock, this one's
    /// included, neither shortens nor lengthens it. Messages `owner` claimed are never taken back
    /// by its own claims. `now` still dates the events and `notBefore` and expiry checks.
    public func claimBatch(now: Date, lease: TimeInterval, limit: Int, owner: ClaimOwner) async throws -> [MessageRecord] {
        var claimed: [MessageRecord] = []
        while claimed.count < limit, let message = try await claimOne(now: now, lease: lease, owner: owner) {
            claimed.append(message)
        }
        return claimed
    }

    /// Claims one message in its own transaction. With an `owner`, the lease runs on the server's
    /// clock and the owner's own expired claims are spared; without one, it runs on `now`.
    private func claimOne(now: Date, lease: TimeInterval, owner: ClaimOwner?) async throws -> MessageRecord? {
        let node = node
        let wait = handoffWaitMilliseconds
        let leaseMilliseconds = Int64((lease * 1000).rounded())
        return try await executor.run { connection in
            try connection.transaction {
                try PostgresStore.requeueExpiredLeases(now: now, sparing: owner, on: connection)
                try PostgresStore.requeueEndedReceiptWaits(now: now, on: connection)
                _ = try PostgresStore.expireDue(now: now, on: connection)
                return try connection.firstRow(
                    """
                    WITH next AS (
                        SELECT id FROM sms_queue
                        WHERE state = 'queued' AND (not_before IS NULL OR not_before <= $1::bigint)
                            AND \(PostgresStore.claimableByNode(node: "$3::text", wait: "$5::bigint"))
                        ORDER BY priority, id
                        LIMIT 1
                        FOR UPDATE SKIP LOCKED
                    ), claimed AS (
                        UPDATE sms_queue AS q SET state = 'sending',
                            lease_until = CASE WHEN $4::text IS NULL THEN $1::bigint
                                ELSE \(PostgresStore.serverNow) END + $2::bigint,
                            claimed_by = $3::text, claim_owner = $4::text, updated_at = $1::bigint
                        FROM next WHERE q.id = next.id
                        RETURNING q.*
                    ), event AS (
                        INSERT INTO sms_events (message_id, at, state) SELECT id, $1::bigint, 'sending' FROM claimed
                    )
                    SELECT \(PostgresStore.messageColumns) FROM claimed
                    """,
                    [PostgresValue(now), .integer(leaseMilliseconds), .text(node), PostgresValue(owner?.id), .integer(wait)]
                ).map(PostgresStore.readMessage)
            }
        }
    }

    public func beginAttempt(messageID: MessageID, providerID: String, now: Date) async throws -> AttemptID {
        try await executor.run { connection in
            let row = try connection.firstRow(
                """
                WITH counted AS (
                    UPDATE sms_queue SET attempts = attempts + 1, updated_at = $1::bigint,
                        provider_id = CASE WHEN provider_message_id IS NULL THEN $2::text ELSE provider_id END
                    WHERE id = $3::bigint
                    RETURNING id
                )
                INSERT INTO sms_attempts (message_id, provider_id, started_at)
                SELECT id, $2::text, $1::bigint FROM counted
                RETURNING id
                """,
                [PostgresValue(now), .text(providerID), .integer(messageID)]
            )
            guard let row else { throw StoreError.messageNotFound(messageID) }
            return try row.int64(0)
        }
    }

    public func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        now: Date
    ) async throws {
        try await executor.run { connection in
            try connection.transaction {
                let finished = try connection.firstRow(
                    """
                    UPDATE sms_attempts SET outcome = $1::text, provider_message_id = $2::text, detail = $3::text,
                        finished_at = $4::bigint
                    WHERE id = $5::bigint
                    RETURNING message_id, provider_id
                    """,
                    [
                        .text(outcome.rawValue),
                        PostgresValue(providerMessageID),
                        PostgresValue(detail),
                        PostgresValue(now),
                        .integer(attemptID),
                    ]
                )
                guard let finished else { throw StoreError.attemptNotFound(attemptID) }

                // The message row names the provider of its latest accepted attempt.
                if outcome == .accepted, let providerMessageID {
                    try connection.execute(
                        """
                        UPDATE sms_queue SET provider_message_id = $1::text, updated_at = $2::bigint, provider_id = $3::text
                        WHERE id = $4::bigint
                        """,
                        [.text(providerMessageID), PostgresValue(now), .text(try finished.text(1)), .integer(try finished.int64(0))]
                    )
                }
            }
        }
    }

    public func transition(_ messageID: MessageID, _ transition: Transition, now: Date) async throws {
        try await executor.run { connection in
            try connection.transaction {
                try PostgresStore.apply(transition, to: messageID, now: now, on: connection)
                if transition.state == .queued { try PostgresStore.notifyListeners(on: connection) }
            }
        }
    }

    public func findMessage(providerID: String, providerMessageID: String) async throws -> MessageRecord? {
        try await executor.run { connection in
            let values: [PostgresValue] = [.text(providerID), .text(providerMessageID)]
            let direct = try connection.firstRow(
                """
                SELECT \(PostgresStore.messageColumns) FROM sms_queue
                WHERE provider_id = $1::text AND provider_message_id = $2::text ORDER BY id DESC LIMIT 1
                """,
                values
            )
            if let direct { return try PostgresStore.readMessage(direct) }

            // An earlier accepted attempt of a re-routed message still identifies it.
            let viaAttempt = try connection.firstRow(
                """
                SELECT message_id FROM sms_attempts WHERE provider_id = $1::text AND provider_message_id = $2::text
                ORDER BY id DESC LIMIT 1
                """,
                values
            )
            guard let viaAttempt else { return nil }
            return try PostgresStore.message(try viaAttempt.int64(0), on: connection)
        }
    }

    public func message(_ id: MessageID) async throws -> MessageRecord? {
        try await executor.run { connection in
            try PostgresStore.message(id, on: connection)
        }
    }

    public func messages(limit: Int) async throws -> [MessageRecord] {
        try await executor.run { connection in
            try connection.rows(
                "SELECT \(PostgresStore.messageColumns) FROM sms_queue ORDER BY id DESC LIMIT $1::bigint",
                [PostgresValue(max(limit, 0))]
            ).map(PostgresStore.readMessage)
        }
    }

    public func attempts(for messageID: MessageID) async throws -> [AttemptRecord] {
        try await executor.run { connection in
            try connection.rows(
                """
                SELECT id, message_id, provider_id, started_at, outcome, provider_message_id, detail, finished_at
                FROM sms_attempts WHERE message_id = $1::bigint ORDER BY id
                """,
                [.integer(messageID)]
            ).map { row in
                AttemptRecord(
                    id: try row.int64(0),
                    messageID: try row.int64(1),
                    providerID: try row.text(2),
                    startedAt: try row.date(3),
                    outcome: try row.optionalText(4).map { try SQLiteStore.decode(AttemptOutcome.self, $0) },
                    providerMessageID: row.optionalText(5),
                    detail: row.optionalText(6),
                    finishedAt: try row.optionalDate(7)
                )
            }
        }
    }

    public func events(for messageID: MessageID) async throws -> [MessageEvent] {
        try await executor.run { connection in
            try connection.rows(
                """
                SELECT message_id, at, state, provider_id, reason FROM sms_events
                WHERE message_id = $1::bigint ORDER BY id
                """,
                [.integer(messageID)]
            ).map { row in
                MessageEvent(
                    messageID: try row.int64(0),
                    at: try row.date(1),
                    state: try SQLiteStore.decode(MessageState.self, row.text(2)),
                    providerID: row.optionalText(3),
                    reason: row.optionalText(4)
                )
            }
        }
    }

    public func queueDepth() async throws -> [Priority: Int] {
        try await executor.run { connection in
            var depth = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, 0) })
            let rows = try connection.rows(
                "SELECT priority, COUNT(*) FROM sms_queue WHERE state IN ('queued', 'sending') GROUP BY priority"
            )
            for row in rows {
                if let priority = Priority(rank: try row.int(0)) { depth[priority] = try row.int(1) }
            }
            return depth
        }
    }

    /// The earliest time after `now` at which a message becomes claimable: the `notBefore` of a
    /// queued message, the end of an `unknown` message's wait for a receipt, or the end of a lease
    /// that will run out (any store's), as `SQLiteStore` defines it.
    /// The end of a lease on the server's clock is moved onto the caller's by the difference
    /// between `now` and the server's time.
    public func nextWakeDate(now: Date) async throws -> Date? {
        try await executor.run { connection in
            try connection.firstRow(
                """
                SELECT MIN(wake) FROM (
                    SELECT MIN(not_before) AS wake FROM sms_queue
                    WHERE state = 'queued' AND not_before IS NOT NULL AND not_before > $1::bigint
                    UNION ALL
                    SELECT MIN(not_before) FROM sms_queue
                    WHERE state = 'unknown' AND not_before IS NOT NULL AND not_before > $1::bigint
                    UNION ALL
                    SELECT MIN(lease_end) + 1 FROM (
                        SELECT CASE WHEN claim_owner IS NULL THEN lease_until
                            ELSE lease_until - \(PostgresStore.serverNow) + $1::bigint END AS lease_end
                        FROM sms_queue WHERE state = 'sending'
                    ) AS leases
                    WHERE lease_end >= $1::bigint
                ) AS wakes
                """,
                [PostgresValue(now)]
            )?.optionalDate(0)
        }
    }

    /// Recovers this store's own claims after a restart, in one transaction: attempts without an
    /// outcome on messages `node` claimed become `ambiguous`, and those messages move from
    /// `sending` to `unknown`, each with an event.
    ///
    /// Returns the ids of the messages moved to `unknown`, in id order. Messages `node` claimed
    /// without an open attempt go back to the queue, and any lease that has already run out is
    /// taken over as `claimNext` does. Claims of other nodes are left alone: their daemons may be
    /// running. Start a restarted daemon with the `node` it had, or its claims wait for their lease.
    public func recoverInterruptedAttempts(now: Date) async throws -> [MessageID] {
        let node = node
        return try await executor.run { connection in
            try connection.transaction {
                let messageIDs = try connection.rows(
                    """
                    SELECT DISTINCT a.message_id FROM sms_attempts AS a JOIN sms_queue AS q ON q.id = a.message_id
                    WHERE a.outcome IS NULL AND q.claimed_by = $1::text
                    ORDER BY a.message_id
                    """,
                    [.text(node)]
                ).map { try $0.int64(0) }
                var recovered: [MessageID] = []
                for id in messageIDs where try PostgresStore.recover(id, node: node, now: now, on: connection) {
                    recovered.append(id)
                }
                // Claimed but not yet attempted: end the lease now, which puts the message back in
                // the queue (or to `sent` when an attempt under the claim was accepted).
                try connection.execute(
                    """
                    UPDATE sms_queue SET lease_until = $1::bigint, claim_owner = NULL
                    WHERE state = 'sending' AND claimed_by = $2::text
                    """,
                    [PostgresValue(now.addingTimeInterval(-0.001)), .text(node)]
                )
                try PostgresStore.requeueExpiredLeases(now: now, on: connection)
                return recovered
            }
        }
    }

    /// Marks the open attempts of one message ambiguous and moves it to `unknown` when it is still
    /// `sending` under `node`'s claim. Returns whether it moved.
    private static func recover(_ id: MessageID, node: String, now: Date, on connection: PostgresConnection) throws -> Bool {
        try connection.execute(
            """
            UPDATE sms_attempts SET outcome = 'ambiguous', finished_at = $1::bigint, detail = COALESCE(detail, $2::text)
            WHERE message_id = $3::bigint AND outcome IS NULL
            """,
            [PostgresValue(now), .text(SQLiteStore.interruptedReason), .integer(id)]
        )
        let moved = try connection.execute(
            """
            UPDATE sms_queue SET state = 'unknown', lease_until = NULL, claim_owner = NULL, not_before = NULL,
                last_reason = $1::text, updated_at = $2::bigint
            WHERE id = $3::bigint AND state = 'sending' AND claimed_by = $4::text
            """,
            [.text(SQLiteStore.interruptedReason), PostgresValue(now), .integer(id), .text(node)]
        )
        guard moved.affectedRows == 1 else { return false }
        let providerID = try connection.firstRow(
            "SELECT provider_id FROM sms_attempts WHERE message_id = $1::bigint ORDER BY id DESC LIMIT 1",
            [.integer(id)]
        )?.optionalText(0)
        let event = MessageEvent(
            messageID: id,
            at: now,
            state: .unknown,
            providerID: providerID,
            reason: SQLiteStore.interruptedReason
        )
        try PostgresStore.insertEvent(event, on: connection)
        return true
    }
}
