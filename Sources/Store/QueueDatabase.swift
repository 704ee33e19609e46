import Diagnostics
import Foundation

/// Everything the daemon, the HTTP API and the command line ask of the store: the queue of
/// `MessageStore`, broadcasts, contacts, received messages and housekeeping.
///
/// `SQLiteStore` keeps it in one file for one box; `PostgresStore` keeps it in a PostgreSQL
/// database that several boxes share. Both give each function the same meaning; the functions'
/// documentation is on `SQLiteStore`, and `PostgresStore` names its differences.
/// `openQueueDatabase(_:logger:)` picks the implementation from the config's `database` value.
public protocol QueueDatabase: MessageStore {
    /// The database without any password, for logs and error messages.
    var displayName: String { get }

    /// Closes the connection after the calls already under way. Later calls throw `StoreError.closed`.
    func close() async

    /// Starts listening for the wake-ups other processes send after they queue work, so a daemon
    /// claims it at once. Close the listener when done.
    func makeQueueWakeSource(logger: Logger) async throws -> any QueueWakeSource

    // MARK: Broadcasts

    func createBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        now: Date
    ) async throws -> (broadcastID: Int64, messageIDs: [MessageID])

    func createBroadcast(
        name: String?,
        text: String,
        submissions: [Submission],
        idempotencyKey: String?,
        now: Date
    ) async throws -> BroadcastCreation

    func broadcast(_ id: Int64) async throws -> BroadcastRecord?
    func broadcasts(limit: Int) async throws -> [BroadcastRecord]
    func broadcastID(idempotencyKey: String) async throws -> Int64?
    func messages(inBroadcast id: Int64) async throws -> [MessageRecord]
    func cancelMessage(_ id: MessageID, reason: String?, now: Date) async throws -> Bool
    func cancelBroadcast(_ id: Int64, reason: String?, now: Date) async throws -> [MessageID]

    // MARK: Contacts

    func importContacts(_ contacts: [ContactImport], intoGroup group: String, now: Date) async throws
        -> [ContactImportOutcome]
    func contactGroups() async throws -> [ContactGroupSummary]
    func contacts(inGroup group: String) async throws -> [ContactRecord]?
    func allContacts() async throws -> [ContactRecord]
    func deleteContactGroup(_ group: String) async throws -> Bool

    // MARK: Received messages

    @discardableResult
    func recordInbound(_ message: InboundMessage) async throws -> Int64
    func inboundMessages(limit: Int) async throws -> [InboundMessageRecord]

    // MARK: Housekeeping

    func releaseBackoffs(now: Date) async throws -> Int
    func expireMessages(now: Date) async throws -> [MessageID]
    func pruneFinishedMessages(olderThan retention: Duration, now: Date) async throws -> Int
    func dailySummary() async throws -> [DailyMessageCount]
    func counters() async throws -> StoreCounters
}

extension QueueDatabase {
    /// Cancels a queued message with the default reason; see `cancelMessage(_:reason:now:)`.
    public func cancelMessage(_ id: MessageID, now: Date) async throws -> Bool {
        try await cancelMessage(id, reason: nil, now: now)
    }

    /// Cancels a broadcast's queued messages with the default reason; see `cancelBroadcast(_:reason:now:)`.
    public func cancelBroadcast(_ id: Int64, now: Date) async throws -> [MessageID] {
        try await cancelBroadcast(id, reason: nil, now: now)
    }
}

/// A stream of wake-ups announcing claimable work that another process queued.
public protocol QueueWakeSource: Sendable {
    /// One element per burst of wake-ups; finishes on `close()`.
    var wakeUps: AsyncStream<Void> { get }
    /// Stops listening and finishes `wakeUps`. Safe to call twice.
    func close()
}

extension QueueWakeListener: QueueWakeSource {}
extension PostgresWakeListener: QueueWakeSource {}

extension SQLiteStore: QueueDatabase {
    /// The database file's path.
    public var displayName: String { path }

    /// Prunes as `pruneFinishedMessages(olderThan:now:batchSize:)` does, in batches of 2,000.
    public func pruneFinishedMessages(olderThan retention: Duration, now: Date) async throws -> Int {
        try await pruneFinishedMessages(olderThan: retention, now: now, batchSize: 2000)
    }

    /// Binds the wake-up socket beside the database file; see `QueueWakeListener`.
    public func makeQueueWakeSource(logger: Logger) async throws -> any QueueWakeSource {
        try QueueWakeListener(databasePath: path, logger: logger)
    }
}

extension PostgresStore: QueueDatabase {
    /// The server and database, without the password.
    public var displayName: String { target }

    /// Listens on `wakeChannel` on a second connection; see `PostgresWakeListener`.
    public func makeQueueWakeSource(logger: Logger) async throws -> any QueueWakeSource {
        try await PostgresWakeListener(url: conninfo, channel: Self.wakeChannel, logger: logger)
    }
}
