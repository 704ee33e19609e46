import Foundation

/// The daemon's housekeeping on the shared queue, with the semantics of `SQLiteStore`'s functions
/// of the same names. Any daemon sharing the database may run them, and each is one transaction.
extension PostgresStore {
    /// Makes every queued message that waits for a back-off (`notBefore` after `now`) claimable at
    /// once, and wakes the listening stores when it released any.
    ///
    /// On a shared queue this also releases back-offs that another daemon's pool computed.
    /// - Returns: the number of messages released.
    public func releaseBackoffs(now: Date) async throws -> Int {
        try await executor.run { connection in
            try connection.transaction {
                let released = try connection.execute(
                    "UPDATE sms_queue SET not_before = NULL WHERE state = 'queued' AND not_before > $1::bigint",
                    [PostgresValue(now)]
                ).affectedRows
                if released > 0 { try PostgresStore.notifyListeners(on: connection) }
                return released
            }
        }
    }

    /// Moves every queued message whose `expiresAt` is not after `now` to `expired`, with an event
    /// each. Messages in flight, and queued messages another transaction has locked, are left alone.
    /// - Returns: the ids of the messages expired now, in id order.
    public func expireMessages(now: Date) async throws -> [MessageID] {
        try await executor.run { connection in
            try connection.transaction {
                try PostgresStore.expireDue(now: now, on: connection)
            }
        }
    }

    /// Deletes messages in a final state (`delivered`, `failed`, `expired`, `cancelled`) whose last
    /// change is more than `retention` before `now`, with their attempts and events, after adding
    /// their numbers to `sms_daily_summary` per creation day (UTC), state and provider.
    /// - Returns: the number of messages deleted.
    public func pruneFinishedMessages(olderThan retention: Duration, now: Date) async throws -> Int {
        let seconds = Double(retention.components.seconds) + Double(retention.components.attoseconds) / 1e18
        let cutoff = now.addingTimeInterval(-max(seconds, 0))
        let deleted = try await executor.run { connection in
            try connection.transaction {
                try connection.firstRow(
                    """
                    WITH pruned AS (
                        DELETE FROM sms_queue
                        WHERE state IN ('delivered', 'failed', 'expired', 'cancelled') AND updated_at < $1::bigint
                        RETURNING created_at, state, provider_id
                    ), summed AS (
                        INSERT INTO sms_daily_summary (day, state, provider_id, count)
                        SELECT to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), state,
                            COALESCE(provider_id, ''), COUNT(*)
                        FROM pruned
                        GROUP BY 1, 2, 3
                        ON CONFLICT (day, state, provider_id) DO UPDATE
                            SET count = sms_daily_summary.count + excluded.count
                    )
                    SELECT COUNT(*) FROM pruned
                    """,
                    [PostgresValue(cutoff)]
                )?.int(0) ?? 0
            }
        }
        logger.debug("Pruned finished messages", metadata: ["store.count": "\(deleted)", "store.retention": "\(retention)"])
        return deleted
    }

    /// Returns the per-day totals kept by retention pruning, oldest day first.
    public func dailySummary() async throws -> [DailyMessageCount] {
        try await executor.run { connection in
            try connection.rows(
                "SELECT day, state, provider_id, count FROM sms_daily_summary ORDER BY day, state, provider_id"
            ).map { row in
                let provider = try row.text(2)
                return DailyMessageCount(
                    day: try row.text(0),
                    state: try SQLiteStore.decode(MessageState.self, row.text(1)),
                    providerID: provider.isEmpty ? nil : provider,
                    count: try row.int(3)
                )
            }
        }
    }

    /// Counts messages by state and provider and attempts by outcome, for metrics, over the
    /// whole shared queue. Each call scans the queue and attempts tables once.
    public func counters() async throws -> StoreCounters {
        try await executor.run { connection in
            var counters = StoreCounters(
                messagesByState: Dictionary(uniqueKeysWithValues: MessageState.allCases.map { ($0, 0) }),
                attemptsByOutcome: Dictionary(uniqueKeysWithValues: AttemptOutcome.allCases.map { ($0, 0) })
            )
            let messageRows = try connection.rows("SELECT state, provider_id, COUNT(*) FROM sms_queue GROUP BY state, provider_id")
            for row in messageRows {
                let state = try SQLiteStore.decode(MessageState.self, row.text(0))
                let count = try row.int(2)
                counters.messagesByState[state, default: 0] += count
                if let provider = row.optionalText(1) {
                    counters.messagesByProvider[provider, default: [:]][state, default: 0] += count
                }
            }
            let attemptRows = try connection.rows(
                "SELECT outcome, provider_id, COUNT(*) FROM sms_attempts GROUP BY outcome, provider_id"
            )
            for row in attemptRows {
                let count = try row.int(2)
                guard let outcomeName = row.optionalText(0) else {
                    counters.attemptsInFlight += count
                    continue
                }
                let outcome = try SQLiteStore.decode(AttemptOutcome.self, outcomeName)
                let provider = try row.text(1)
                counters.attemptsByOutcome[outcome, default: 0] += count
                counters.attemptsByProvider[provider, default: [:]][outcome, default: 0] += count
            }
            return counters
        }
    }
}
