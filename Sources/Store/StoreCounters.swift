/// Counts for metrics, read in one pass over the live tables.
///
/// Messages removed by retention pruning are not counted here; their per-day totals are in
/// `SQLiteStore.dailySummary()`.
public struct StoreCounters: Sendable, Equatable {
    /// Messages per state; every state is present, with 0 when there is none.
    public var messagesByState: [MessageState: Int]
    /// Messages per provider (`MessageRecord.providerID`) and state; messages no provider has
    /// touched yet are not included.
    public var messagesByProvider: [String: [MessageState: Int]]
    /// Finished attempts per outcome; every outcome is present.
    public var attemptsByOutcome: [AttemptOutcome: Int]
    /// Finished attempts per provider and outcome.
    public var attemptsByProvider: [String: [AttemptOutcome: Int]]
    /// Attempts that have no outcome yet.
    public var attemptsInFlight: Int

    public init(
        messagesByState: [MessageState: Int] = [:],
        messagesByProvider: [String: [MessageState: Int]] = [:],
        attemptsByOutcome: [AttemptOutcome: Int] = [:],
        attemptsByProvider: [String: [AttemptOutcome: Int]] = [:],
        attemptsInFlight: Int = 0
    ) {
        self.messagesByState = messagesByState
        self.messagesByProvider = messagesByProvider
        self.attemptsByOutcome = attemptsByOutcome
        self.attemptsByProvider = attemptsByProvider
        self.attemptsInFlight = attemptsInFlight
    }
}

/// The number of messages created on one UTC day that ended in one state with one provider,
/// kept in `sms_daily_summary` when retention pruning deletes the messages themselves.
public struct DailyMessageCount: Sendable, Equatable, Hashable {
    /// The UTC day the messages were created, as `YYYY-MM-DD`.
    public var day: String
    public var state: MessageState
    /// The provider named on the messages, or `nil` for none.
    public var providerID: String?
    public var count: Int

    public init(day: String, state: MessageState, providerID: String?, count: Int) {
        self.day = day
        self.state = state
        self.providerID = providerID
        self.count = count
    }
}
