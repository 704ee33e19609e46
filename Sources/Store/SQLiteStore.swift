import Diagnostics
import Foundation

/// The durable queue on one SQLite file: messages, attempts, events and broadcasts.
///
/// Every SQLite call runs on one dedicated thread that owns the connection (`SQLiteWriter`);
/// the async methods wait for it without blocking the cooperative pool. Each method is one
/// transaction and commits before it returns. The file uses WAL. Submissions (`enqueue`,
/// `createBroadcast`) commit with `synchronous=FULL`, so an acknowledged submission survives a
/// power loss; later state changes commit with `synchronous=NORMAL`, which survives a crash of
/// the process, and a power loss may roll back the last of them (a send may then repeat, no
/// message is lost). Other processes (the CLI beside the daemon) may
/// open the same file at the same time, and each waits up to `busyTimeout` for the write lock.
///
/// After a commit that makes work claimable (enqueue, broadcast, a transition back to `queued`),
/// the store sends a wake-up through its `QueueNotifier`, so a daemon listening with
/// `QueueWakeListener` on the same database claims it at once.
///
/// Call `close()` when done; a store released without it closes its connection in the background.
public final class SQLiteStore: MessageStore {
    /// How long a call waits for another process's write lock before failing: long enough for
    /// a 5,000-message broadcast committed by another process.
    public static let busyTimeout: Duration = .seconds(10)

    /// The database file.
    public let path: String
    let writer: SQLiteWriter
    let notifier: QueueNotifier?
    let logger: Logger

    /// Opens or creates the database at `path`, applies pending migrations (one transaction each),
    /// and switches on WAL, `synchronous=NORMAL` (FULL for submissions) and foreign keys.
    ///
    /// - Parameters:
    ///   - notifiesWakeListener: sends a wake-up datagram to `QueueWakeListener` after commits
    ///     that queue work; a no-op when no daemon listens.
    /// - Throws: `StoreError.readOnlyFile`, `.readOnlyDirectory`, `.corrupt`, `.cannotOpen`,
    ///   `.schemaTooNew`, each with the path and the fix.
    public init(path: String, logger: Logger = .disabled, notifiesWakeListener: Bool = true) async throws {
        self.path = path
        self.logger = logger
        let writer = SQLiteWriter(path: path)
        do {
            try await writer.open {
                try SQLiteStore.openConnection(path: path, logger: logger)
            }
        } catch {
            await writer.close()
            throw error
        }
        self.writer = writer
        // After the open, so the file exists and its directory resolves to the path the daemon uses.
        self.notifier = notifiesWakeListener ? QueueNotifier(databasePath: path) : nil
    }

    deinit {
        writer.closeSoon()
    }

    /// Closes the connection after the calls already under way. Later calls throw `StoreError.closed`.
    public func close() async {
        await writer.close()
    }

    private static func openConnection(path: String, logger: Logger) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path)
        if connection.isReadOnly {
            throw SQLiteError(code: .readOnly, message: "the file was opened read-only")
        }
        try connection.setBusyTimeout(busyTimeout)
        try connection.execute(sql: "PRAGMA foreign_keys = ON")
        try enableWriteAheadLog(on: connection)
        // State changes after intake commit with NORMAL: in WAL mode they survive a crash of the
        // process, and a power loss can roll back only the last few, which repeats a send at
        // worst. Intake commits with `durableTransaction` (FULL), so no acknowledged submission
        // is lost. One fsync per state change would cap the SMPP path near 800 messages/s here.
        try connection.execute(sql: "PRAGMA synchronous = NORMAL")
        // The savepoints of grouped writes keep the pages they change in a statement journal. On
        // disk, a large one spills into a temporary file: in a 5,000-message SMPP benchmark run
        // that was about 600 files and 62,000 writes. In memory it contains at most the pages
        // one transaction changes.
        try connection.execute(sql: "PRAGMA temp_store = MEMORY")
        // The page cache grows with the file up to its limit. The default of 2,000 KiB filled up
        // with a million queued messages. With 512 KiB the SMPP benchmark peaked 2.2 MiB lower at
        // about the same rate, because pages beyond it are read again from the kernel's file cache.
        try connection.execute(sql: "PRAGMA cache_size = -512")
        try migrate(connection, logger: logger)
        return connection
    }

    /// Switches a new file to WAL mode. The switch needs an exclusive lock, and SQLite returns
    /// `busy` at once, without calling the busy handler, while another process opens the same new
    /// file (the daemon and a CLI command starting together). So the switch is retried every 20 ms
    /// for at most `busyTimeout`. On a file already in WAL mode it succeeds the first time.
    private static func enableWriteAheadLog(on connection: SQLiteConnection) throws {
        let deadline = ContinuousClock.now + busyTimeout
        while !(try switchedToWriteAheadLog(connection, retryable: ContinuousClock.now < deadline)) {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Tries the switch once. Returns `false` when SQLite returned `busy` and `retryable` allows a retry.
    private static func switchedToWriteAheadLog(_ connection: SQLiteConnection, retryable: Bool) throws -> Bool {
        do {
            try connection.execute(sql: "PRAGMA journal_mode = WAL")
            return true
        } catch {
            guard error.code == .busy, retryable else { throw error }
            return false
        }
    }

    private static func migrate(_ connection: SQLiteConnection, logger: Logger) throws {
        let current = try connection.userVersion()
        guard current <= StoreMigrations.latestVersion else {
            throw StoreError.schemaTooNew(path: connection.path, found: current, supported: StoreMigrations.latestVersion)
        }
        for migration in StoreMigrations.all where migration.version > current {
            // Another process (the daemon and a CLI command starting together) may have applied this
            // step since the version was read, so it is checked again under the write lock.
            let applied = try connection.transaction {
                guard try connection.userVersion() < migration.version else { return false }
                try connection.execute(sql: migration.sql)
                try connection.setUserVersion(migration.version)
                return true
            }
            if applied {
                logger.debug("Applied schema migration", metadata: ["store.schema.version": "\(migration.version)"])
            }
        }
    }

    /// Sends a wake-up to a listening daemon; called on the writer thread after a commit.
    func wakeListener() {
        notifier?.notify()
    }

    // MARK: MessageStore

    public func enqueue(_ submissions: [Submission], now: Date) async throws -> [MessageID] {
        let ids = try await writer.run { connection in
            try connection.durableTransaction {
                try SQLiteStore.insert(submissions, now: now, on: connection)
            }
        }
        wakeIfQueued(ids.isEmpty ? 0 : 1)
        logger.trace("Enqueued messages", metadata: ["store.count": "\(ids.count)"])
        return ids
    }

    /// Claims the next message as `MessageStore` describes, in one transaction.
    ///
    /// Before choosing, the transaction moves messages whose lease ran out back to `queued` (their
    /// open attempts become `ambiguous`, with the reason `leaseExpiredReason`), does the same for
    /// `unknown` messages whose wait for a receipt ended (`requeueEndedReceiptWaits`), and expires queued
    /// messages past `expiresAt`, each with an event. It writes nothing when there is neither such
    /// a message nor a ready one.
    public func claimNext(now: Date, lease: TimeInterval) async throws -> MessageRecord? {
        try await claimBatch(now: now, lease: lease, limit: 1).first
    }

    /// Claims up to `limit` messages as `claimNext` does, in one transaction shared with the
    /// other state changes waiting for the writer (see `SQLiteWriter.runGrouped`).
    public func claimBatch(now: Date, lease: TimeInterval, limit: Int) async throws -> [MessageRecord] {
        guard limit > 0 else { return [] }
        return try await writer.runGrouped { connection in
            try SQLiteStore.claim(limit: limit, now: now, lease: lease, owner: nil, on: connection)
        }
    }

    /// Claims as `claimBatch(now:lease:limit:)` does and stores `owner` with each claim; messages
    /// `owner` claimed earlier are never taken back, however long ago their lease ended.
    ///
    /// Only one daemon runs on a database file (its wake-up socket beside the file refuses a
    /// second one, see `QueueWakeListener`), and it recovers every claim of earlier runs at start
    /// (`recoverInterruptedAttempts(now:)`). So a lease here ends only claims of a run that is
    /// gone, and a step of the wall clock cannot take a message from the run sending it.
    public func claimBatch(now: Date, lease: TimeInterval, limit: Int, owner: ClaimOwner) async throws -> [MessageRecord] {
        guard limit > 0 else { return [] }
        return try await writer.runGrouped { connection in
            try SQLiteStore.claim(limit: limit, now: now, lease: lease, owner: owner, on: connection)
        }
    }

    public func beginAttempt(messageID: MessageID, providerID: String, now: Date) async throws -> AttemptID {
        try await beginAttempts([AttemptStart(messageID: messageID, providerID: providerID)], now: now)[0]
    }

    public func beginAttempts(_ starts: [AttemptStart], now: Date) async throws -> [AttemptID] {
        guard !starts.isEmpty else { return [] }
        return try await writer.runGrouped { connection in
            try starts.map { try SQLiteStore.insertAttempt($0, now: now, on: connection) }
        }
    }

    public func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        now: Date
    ) async throws {
        try await finishAttempt(
            attemptID,
            outcome: outcome,
            providerMessageID: providerMessageID,
            detail: detail,
            then: nil,
            now: now
        )
    }

    public func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        then transition: (messageID: MessageID, transition: Transition)?,
        now: Date
    ) async throws {
        let outcomeRow = AttemptOutcomeRow(
            attemptID: attemptID,
            outcome: outcome,
            providerMessageID: providerMessageID,
            detail: detail
        )
        let next = transition.map { ($0.messageID, $0.transition) }
        // A transition that names the provider and the same id writes what the outcome would
        // write on the message row, so that row is updated once.
        let covered = transition.map { next in
            next.transition.providerID != nil && next.transition.providerMessageID == providerMessageID
        } ?? false
        try await writer.runGrouped { connection in
            try SQLiteStore.record(outcomeRow, now: now, messageRowFollows: covered, on: connection)
            if let (messageID, transition) = next {
                try SQLiteStore.apply(transition, to: messageID, now: now, on: connection)
            }
        }
        wakeIfQueued(transition?.transition.state == .queued ? 1 : 0)
    }

    public func transition(_ messageID: MessageID, _ transition: Transition, now: Date) async throws {
        try await writer.runGrouped { connection in
            try SQLiteStore.apply(transition, to: messageID, now: now, on: connection)
        }
        wakeIfQueued(transition.state == .queued ? 1 : 0)
    }

    public func findMessage(providerID: String, providerMessageID: String) async throws -> MessageRecord? {
        try await writer.runGrouped(writes: false) { connection in
            try SQLiteStore.findMessage(providerID: providerID, providerMessageID: providerMessageID, on: connection)
        }
    }

    public func findMessage(
        providerID: String,
        providerMessageID: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)? {
        let found = try await writer.runGrouped { connection -> (message: MessageRecord, stored: Transition?)? in
            guard
                let message = try SQLiteStore.findMessage(
                    providerID: providerID,
                    providerMessageID: providerMessageID,
                    on: connection
                )
            else { return nil }
            guard let transition = decide(message) else { return (message, nil) }
            try SQLiteStore.apply(transition, to: message.id, now: now, current: message, on: connection)
            return (message, transition)
        }
        wakeIfQueued(found?.stored?.state == .queued ? 1 : 0)
        return found
    }

    private static func findMessage(
        providerID: String,
        providerMessageID: String,
        on connection: SQLiteConnection
    ) throws -> MessageRecord? {
        let values: [SQLiteValue] = [.text(providerID), .text(providerMessageID)]
        let direct = try connection.statement(SQLiteStore.messageByProviderIDSQL)
            .firstRow(values, SQLiteStore.readMessage)
        if let direct { return direct }

        // An earlier accepted attempt of a re-routed message still identifies it.
        let viaAttempt = try connection.statement(
            """
            SELECT message_id FROM sms_attempts WHERE provider_id = ?1 AND provider_message_id = ?2
            ORDER BY id DESC LIMIT 1
            """
        ).firstRow(values) { $0.int64(0) }
        return try viaAttempt.flatMap { try SQLiteStore.message($0, on: connection) }
    }

    /// The query for the newest message with a provider's message id, built once like
    /// `messageByIDSQL`.
    private static let messageByProviderIDSQL = """
        SELECT \(SQLiteStore.messageColumns) FROM sms_queue
        WHERE provider_id = ?1 AND provider_message_id = ?2 ORDER BY id DESC LIMIT 1
        """

    public func message(_ id: MessageID) async throws -> MessageRecord? {
        try await writer.runGrouped(writes: false) { connection in
            try SQLiteStore.message(id, on: connection)
        }
    }

    public func messages(limit: Int) async throws -> [MessageRecord] {
        try await writer.run { connection in
            try connection.statement(
                "SELECT \(SQLiteStore.messageColumns) FROM sms_queue ORDER BY id DESC LIMIT ?1"
            ).rows([SQLiteValue(max(limit, 0))], SQLiteStore.readMessage)
        }
    }

    /// Returns the newest messages in `state` first, at most `limit`, through the claim index.
    public func messages(in state: MessageState, limit: Int) async throws -> [MessageRecord] {
        try await writer.runGrouped(writes: false) { connection in
            try connection.statement(
                "SELECT \(SQLiteStore.messageColumns) FROM sms_queue WHERE state = ?1 ORDER BY id DESC LIMIT ?2"
            ).rows([.text(state.rawValue), SQLiteValue(max(limit, 0))], SQLiteStore.readMessage)
        }
    }

    public func attempts(for messageID: MessageID) async throws -> [AttemptRecord] {
        try await writer.runGrouped(writes: false) { connection in
            try connection.statement(
                """
                SELECT id, message_id, provider_id, started_at, outcome, provider_message_id, detail, finished_at
                FROM sms_attempts WHERE message_id = ?1 ORDER BY id
                """
            ).rows([.integer(messageID)]) { row in
                AttemptRecord(
                    id: row.int64(0),
                    messageID: row.int64(1),
                    providerID: row.text(2),
                    startedAt: row.date(3),
                    outcome: try row.optionalText(4).map { try SQLiteStore.decode(AttemptOutcome.self, $0) },
                    providerMessageID: row.optionalText(5),
                    detail: row.optionalText(6),
                    finishedAt: row.optionalDate(7)
                )
            }
        }
    }

    public func events(for messageID: MessageID) async throws -> [MessageEvent] {
        try await writer.run { connection in
            try connection.statement(
                "SELECT message_id, at, state, provider_id, reason FROM sms_events WHERE message_id = ?1 ORDER BY id"
            ).rows([.integer(messageID)]) { row in
                MessageEvent(
                    messageID: row.int64(0),
                    at: row.date(1),
                    state: try SQLiteStore.decode(MessageState.self, row.text(2)),
                    providerID: row.optionalText(3),
                    reason: row.optionalText(4)
                )
            }
        }
    }

    public func queueDepth() async throws -> [Priority: Int] {
        try await writer.runGrouped(writes: false) { connection in
            var depth = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, 0) })
            // One pass per state: for a single state the index `sms_queue_claim` yields the rows in
            // priority order. With `state IN (...)` SQLite sorted every waiting row in a temporary
            // b-tree instead, about 30 MB of memory for a million queued messages.
            let statement = try connection.statement(
                "SELECT priority, COUNT(*) FROM sms_queue WHERE state = ? GROUP BY priority"
            )
            for state in [MessageState.queued, .sending] {
                for (rank, count) in try statement.rows([.text(state.rawValue)], { ($0.int(0), $0.int(1)) }) {
                    if let priority = Priority(rank: rank) { depth[priority, default: 0] += count }
                }
            }
            return depth
        }
    }

    /// The earliest time after `now` at which a message becomes claimable: the `notBefore` of a
    /// queued message, the end of an `unknown` message's wait for a receipt, or the end of a lease
    /// that will run out.
    ///
    /// Returns `nil` when nothing is waiting for a time; messages that are ready now are not
    /// counted (claim them). Expiry deadlines are not wake reasons: due messages are expired by
    /// the next claim or by `expireMessages(now:)`.
    public func nextWakeDate(now: Date) async throws -> Date? {
        try await writer.runGrouped(writes: false) { connection in
            try connection.statement(
                """
                SELECT MIN(wake) FROM (
                    SELECT MIN(not_before) AS wake FROM sms_queue INDEXED BY sms_queue_queued_not_before
                    WHERE state = 'queued' AND not_before IS NOT NULL AND not_before > ?1
                    UNION ALL
                    SELECT MIN(not_before) FROM sms_queue INDEXED BY sms_queue_unknown_not_before
                    WHERE state = 'unknown' AND not_before IS NOT NULL AND not_before > ?1
                    UNION ALL
                    SELECT MIN(lease_until) + 1 FROM sms_queue INDEXED BY sms_queue_sending_lease
                    WHERE state = 'sending' AND lease_until >= ?1
                )
                """
            ).firstRow([SQLiteValue(now)]) { $0.optionalDate(0) } ?? nil
        }
    }

    /// Marks attempts left without an outcome `ambiguous` and moves their messages from `sending`
    /// to `unknown`, with an event each, in one transaction.
    ///
    /// Returns the ids of the messages moved to `unknown`, in id order. A message whose open
    /// attempt was found in another state (a transition was recorded before the attempt's outcome)
    /// keeps its state. Call it once at start-up, before the dispatcher claims.
    public func recoverInterruptedAttempts(now: Date) async throws -> [MessageID] {
        try await writer.run { connection in
            try connection.transaction {
                let messageIDs = try connection.statement(
                    "SELECT DISTINCT message_id FROM sms_attempts WHERE outcome IS NULL ORDER BY message_id"
                ).rows { $0.int64(0) }
                try connection.execute(
                    """
                    UPDATE sms_attempts SET outcome = 'ambiguous', finished_at = ?1,
                        detail = COALESCE(detail, ?2)
                    WHERE outcome IS NULL
                    """,
                    [SQLiteValue(now), .text(SQLiteStore.interruptedReason)]
                )
                var recovered: [MessageID] = []
                for id in messageIDs {
                    try connection.execute(
                        """
                        UPDATE sms_queue SET state = 'unknown', lease_until = NULL, claim_owner = NULL,
                            not_before = NULL, last_reason = ?1, updated_at = ?2
                        WHERE id = ?3 AND state = 'sending'
                        """,
                        [.text(SQLiteStore.interruptedReason), SQLiteValue(now), .integer(id)]
                    )
                    guard connection.changes == 1 else { continue }
                    let providerID = try connection.statement(
                        "SELECT provider_id FROM sms_attempts WHERE message_id = ?1 ORDER BY id DESC LIMIT 1"
                    ).firstRow([.integer(id)]) { $0.optionalText(0) } ?? nil
                    try SQLiteStore.insertEvent(
                        MessageEvent(
                            messageID: id,
                            at: now,
                            state: .unknown,
                            providerID: providerID,
                            reason: SQLiteStore.interruptedReason
                        ),
                        on: connection
                    )
                    recovered.append(id)
                }
                // Messages claimed but not yet attempted had no open attempt, so they are still
                // `sending` under a lease of the dead process: end those leases now, which puts
                // them back in the queue (or to `sent` when an earlier attempt was accepted).
                try connection.execute(
                    "UPDATE sms_queue SET lease_until = ?1, claim_owner = NULL WHERE state = 'sending'",
                    [SQLiteValue(now.addingTimeInterval(-0.001))]
                )
                try SQLiteStore.requeueExpiredLeases(now: now, on: connection)
                return recovered
            }
        }
    }

    /// The reason recorded for attempts cut off by a crash or a stop.
    public static let interruptedReason = "interrupted: the process stopped before the attempt's outcome was recorded"

    func wakeIfQueued(_ count: Int) {
        if count > 0 { wakeListener() }
    }
}
