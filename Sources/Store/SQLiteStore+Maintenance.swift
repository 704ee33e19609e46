import Foundation

extension SQLiteStore {
    /// Makes every queued message that waits for a back-off (`notBefore` after `now`) claimable at
    /// once. The daemon calls it when it starts or reloads its config: the back-off was computed
    /// from breakers and pauses of a pool that no longer exists.
    /// - Returns: the number of messages released.
    public func releaseBackoffs(now: Date) async throws -> Int {
        let released = try await writer.run { connection in
            try connection.transaction {
                try connection.execute(
                    "UPDATE sms_queue SET not_before = NULL WHERE state = 'queued' AND not_before > ?1",
                    [SQLiteValue(now)]
                )
                return connection.changes
            }
        }
        if released > 0 { wakeListener() }
        return released
    }

    /// Moves every queued message whose `expiresAt` is not after `now` to `expired`, with an
    /// event each, in one transaction. Messages in flight are left alone.
    ///
    /// `claimNext` does the same before it chooses, so calling this is needed only to report
    /// expiries promptly when nothing is being claimed.
    /// - Returns: the ids of the messages expired now.
    public func expireMessages(now: Date) async throws -> [MessageID] {
        try await writer.run { connection in
            try connection.transaction {
                try SQLiteStore.expireDue(now: now, on: connection)
            }
        }
    }

    /// Deletes messages in a final state (`delivered`, `failed`, `expired`, `cancelled`) whose
    /// last change is more than `retention` before `now`, with their attempts and events.
    ///
    /// Before deleting, their numbers are added to `sms_daily_summary` per creation day (UTC),
    /// state and provider, in the same transaction, so totals survive the rows. Messages in any
    /// other state are kept whatever their age, and so are broadcast rows. The work is split into
    /// transactions of at most `batchSize` messages (default 2,000, a few tens of milliseconds
    /// each), so the dispatcher's claims are not held up behind a first prune of a year's rows.
    /// A wall clock stepped back makes fewer rows old enough; stepped forward, more.
    /// - Returns: the number of messages deleted.
    public func pruneFinishedMessages(olderThan retention: Duration, now: Date, batchSize: Int = 2000) async throws -> Int {
        let seconds = Double(retention.components.seconds) + Double(retention.components.attoseconds) / 1e18
        let cutoff = now.addingTimeInterval(-max(seconds, 0))
        let limit = max(batchSize, 1)
        var deleted = 0
        while true {
            let batch = try await writer.run { connection in
                try connection.transaction {
                    try SQLiteStore.pruneBatch(before: cutoff, limit: limit, on: connection)
                }
            }
            deleted += batch
            if batch < limit { break }
        }
        logger.debug(
            "Pruned finished messages",
            metadata: ["store.count": "\(deleted)", "store.retention.seconds": "\(Int(seconds))"]
        )
        return deleted
    }

    /// Counts and deletes up to `limit` finished messages last changed before `cutoff`, oldest first.
    private static func pruneBatch(before cutoff: Date, limit: Int, on connection: SQLiteConnection) throws -> Int {
        // The state condition is the index's, word for word: `INDEXED BY` fails to prepare otherwise.
        let batch = """
            SELECT id FROM sms_queue INDEXED BY sms_queue_final_updated
            WHERE (state = 'delivered' OR state = 'failed' OR state = 'expired' OR state = 'cancelled')
                AND updated_at < ?1
            ORDER BY updated_at LIMIT ?2
            """
        let values = [SQLiteValue(cutoff), SQLiteValue(limit)]
        try connection.execute(
            """
            INSERT INTO sms_daily_summary (day, state, provider_id, count)
            SELECT date(created_at / 1000, 'unixepoch'), state, COALESCE(provider_id, ''), COUNT(*)
            FROM sms_queue WHERE id IN (\(batch))
            GROUP BY 1, 2, 3
            ON CONFLICT (day, state, provider_id) DO UPDATE SET count = count + excluded.count
            """,
            values
        )
        try connection.execute("DELETE FROM sms_queue WHERE id IN (\(batch))", values)
        return connection.changes
    }

    /// The per-day totals kept by retention pruning, oldest day first.
    public func dailySummary() async throws -> [DailyMessageCount] {
        try await writer.run { connection in
            try connection.statement(
                "SELECT day, state, provider_id, count FROM sms_daily_summary ORDER BY day, state, provider_id"
            ).rows { row in
                let provider = row.text(2)
                return DailyMessageCount(
                    day: row.text(0),
                    state: try SQLiteStore.decode(MessageState.self, row.text(1)),
                    providerID: provider.isEmpty ? nil : provider,
                    count: row.int(3)
                )
            }
        }
    }

    /// Counts of messages by state and provider and of attempts by outcome, for metrics.
    ///
    /// Each call scans the queue and attempts tables once; keep scrapes to every few seconds
    /// at most, and prune old messages to bound the cost.
    public func counters() async throws -> StoreCounters {
        try await writer.run { connection in
            var counters = StoreCounters(
                messagesByState: Dictionary(uniqueKeysWithValues: MessageState.allCases.map { ($0, 0) }),
                attemptsByOutcome: Dictionary(uniqueKeysWithValues: AttemptOutcome.allCases.map { ($0, 0) })
            )
            let messageRows = try connection.statement(
                "SELECT state, provider_id, COUNT(*) FROM sms_queue GROUP BY state, provider_id"
            ).rows { row in (try SQLiteStore.decode(MessageState.self, row.text(0)), row.optionalText(1), row.int(2)) }
            for (state, provider, count) in messageRows {
                counters.messagesByState[state, default: 0] += count
                if let provider {
                    counters.messagesByProvider[provider, default: [:]][state, default: 0] += count
                }
            }
            let attemptRows = try connection.statement(
                "SELECT outcome, provider_id, COUNT(*) FROM sms_attempts GROUP BY outcome, provider_id"
            ).rows { row in (row.optionalText(0), row.text(1), row.int(2)) }
            for (outcomeName, provider, count) in attemptRows {
                guard let outcomeName else {
                    counters.attemptsInFlight += count
                    continue
                }
                let outcome = try SQLiteStore.decode(AttemptOutcome.self, outcomeName)
                counters.attemptsByOutcome[outcome, default: 0] += count
                counters.attemptsByProvider[provider, default: [:]][outcome, default: 0] += count
            }
            return counters
        }
    }
}
