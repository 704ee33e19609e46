import Foundation

/// The row id of a message in `sms_queue`.
public typealias MessageID = Int64
/// The row id of an attempt in `sms_attempts`.
public typealias AttemptID = Int64

/// A validated, normalised message ready to be queued. Intake builds it; the store only stores it.
public struct Submission: Sendable, Equatable {
    /// The recipient in E.164 form, with the leading `+`.
    public var recipient: String
    public var text: String
    public var priority: Priority
    /// A client's key for a retried request; a second submission with the same key returns the first id.
    public var idempotencyKey: String?
    /// The broadcast this message belongs to, if any.
    public var broadcastID: Int64?
    /// After this time the message is `expired` instead of sent.
    public var expiresAt: Date?

    public init(
        recipient: String,
        text: String,
        priority: Priority = .normal,
        idempotencyKey: String? = nil,
        broadcastID: Int64? = nil,
        expiresAt: Date? = nil
    ) {
        self.recipient = recipient
        self.text = text
        self.priority = priority
        self.idempotencyKey = idempotencyKey
        self.broadcastID = broadcastID
        self.expiresAt = expiresAt
    }
}

/// A message row as the store holds it.
public struct MessageRecord: Sendable, Equatable, Codable {
    public var id: MessageID
    public var recipient: String
    public var text: String
    public var priority: Priority
    public var state: MessageState
    /// The provider of the latest accepted attempt, or of the latest attempt when none was accepted.
    public var providerID: String?
    /// The id the provider returned when it accepted the message (Twilio sid, SMPP message_id, +CMGS reference).
    public var providerMessageID: String?
    /// Number of attempts made so far, over every provider.
    public var attempts: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// The message is not claimed before this time (a throttled or all-unavailable pool backs off).
    public var notBefore: Date?
    public var expiresAt: Date?
    /// The reason given with the latest transition, for failed and undelivered messages.
    public var lastReason: String?
    public var broadcastID: Int64?
    public var idempotencyKey: String?
    /// On a shared queue, the box (`node`) this message was handed off to because only that box
    /// has a provider it has not tried; `nil` otherwise. See `BoxRegistry`.
    public var handoffNode: String?

    public init(
        id: MessageID,
        recipient: String,
        text: String,
        priority: Priority,
        state: MessageState,
        providerID: String? = nil,
        providerMessageID: String? = nil,
        attempts: Int = 0,
        createdAt: Date,
        updatedAt: Date,
        notBefore: Date? = nil,
        expiresAt: Date? = nil,
        lastReason: String? = nil,
        broadcastID: Int64? = nil,
        idempotencyKey: String? = nil,
        handoffNode: String? = nil
    ) {
        self.id = id
        self.recipient = recipient
        self.text = text
        self.priority = priority
        self.state = state
        self.providerID = providerID
        self.providerMessageID = providerMessageID
        self.attempts = attempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.lastReason = lastReason
        self.broadcastID = broadcastID
        self.idempotencyKey = idempotencyKey
        self.handoffNode = handoffNode
    }
}

/// One attempt of one message on one provider. Inserted and committed before the provider is called.
public struct AttemptRecord: Sendable, Equatable, Codable {
    public var id: AttemptID
    public var messageID: MessageID
    public var providerID: String
    public var startedAt: Date
    /// `nil` while the attempt is in flight, and after a crash until recovery marks it ambiguous.
    public var outcome: AttemptOutcome?
    public var providerMessageID: String?
    public var detail: String?
    public var finishedAt: Date?

    public init(
        id: AttemptID,
        messageID: MessageID,
        providerID: String,
        startedAt: Date,
        outcome: AttemptOutcome? = nil,
        providerMessageID: String? = nil,
        detail: String? = nil,
        finishedAt: Date? = nil
    ) {
        self.id = id
        self.messageID = messageID
        self.providerID = providerID
        self.startedAt = startedAt
        self.outcome = outcome
        self.providerMessageID = providerMessageID
        self.detail = detail
        self.finishedAt = finishedAt
    }
}

/// A position in the order of `MessageStore.sentMessagesPastDeadline`: a message's latest update,
/// then its id. A sweep passes the last message it was given, per priority, to go on after it.
public struct SentMessageCursor: Sendable, Equatable, Comparable {
    /// The message's `updatedAt`, to the millisecond as stored.
    public var updatedAt: Date
    public var id: MessageID

    public init(updatedAt: Date, id: MessageID) {
        self.updatedAt = updatedAt
        self.id = id
    }

    /// Creates the position of `message`.
    public init(_ message: MessageRecord) {
        self.init(updatedAt: message.updatedAt, id: message.id)
    }

    public static func < (lhs: SentMessageCursor, rhs: SentMessageCursor) -> Bool {
        (lhs.updatedAt, lhs.id) < (rhs.updatedAt, rhs.id)
    }
}

/// One state transition of a message, kept in `sms_events`.
public struct MessageEvent: Sendable, Equatable, Codable {
    public var messageID: MessageID
    public var at: Date
    public var state: MessageState
    public var providerID: String?
    public var reason: String?

    public init(messageID: MessageID, at: Date, state: MessageState, providerID: String? = nil, reason: String? = nil) {
        self.messageID = messageID
        self.at = at
        self.state = state
        self.providerID = providerID
        self.reason = reason
    }
}

/// A state change for `MessageStore.transition`, written with its event row in one transaction.
public struct Transition: Sendable, Equatable {
    public var state: MessageState
    public var providerID: String?
    public var providerMessageID: String?
    public var reason: String?
    /// For `queued`: the earliest time the message may be claimed again. For `unknown`: the end of
    /// its wait for a delivery receipt, after which a claim puts it back in the queue. `nil` leaves
    /// it `unknown` for an operator.
    public var notBefore: Date?

    public init(
        to state: MessageState,
        providerID: String? = nil,
        providerMessageID: String? = nil,
        reason: String? = nil,
        notBefore: Date? = nil
    ) {
        self.state = state
        self.providerID = providerID
        self.providerMessageID = providerMessageID
        self.reason = reason
        self.notBefore = notBefore
    }
}

/// The start of one attempt, for `MessageStore.beginAttempts`.
public struct AttemptStart: Sendable, Equatable {
    public var messageID: MessageID
    public var providerID: String

    public init(messageID: MessageID, providerID: String) {
        self.messageID = messageID
        self.providerID = providerID
    }
}

/// The durable queue, its attempts and its events.
///
/// Every method commits before it returns, so a caller may acknowledge what it wrote. `SQLiteStore`
/// is the embedded implementation. `PostgresStore` keeps one queue that several daemons share.
public protocol MessageStore: Sendable {
    /// Queues the submissions in one transaction and returns their ids in order. A submission whose
    /// idempotency key is already stored returns the existing id and queues nothing new.
    func enqueue(_ submissions: [Submission], now: Date) async throws -> [MessageID]

    /// Claims the next message to send: state `queued` with `notBefore` unset or not after `now`,
    /// lowest priority rank first, then lowest id. The claim moves it to `sending` with a lease
    /// until `now + lease`; a message whose lease ran out is claimable again. An `unknown` message
    /// whose `notBefore` (the end of its wait for a receipt) is not after `now` goes back to
    /// `queued` first, its latest ambiguous attempt marked `not_received`.
    /// Returns `nil` when nothing is ready, and writes nothing in that case.
    func claimNext(now: Date, lease: TimeInterval) async throws -> MessageRecord?

    /// Claims up to `limit` ready messages at once, in the order `claimNext` would return them one
    /// by one, each with its own lease and `sending` event, in one transaction. Returns an empty
    /// array, and writes nothing, when nothing is ready.
    ///
    /// Keep `limit` small (the free send slots): a message queued after the claim with a higher
    /// priority waits for the claimed ones.
    func claimBatch(now: Date, lease: TimeInterval, limit: Int) async throws -> [MessageRecord]

    /// Claims as `claimBatch(now:lease:limit:)` does, and stores `owner` with each claim.
    ///
    /// A message claimed under `owner` is never taken back by a claim of the same owner, however
    /// long ago its lease ended: the owner's run still tracks it in memory and settles it itself.
    /// A message whose lease ran out under another owner, or under none, is taken over as before.
    /// Stores shared by several boxes measure these leases on the database server's clock, so a
    /// step of one box's clock cannot end another box's lease (see `PostgresStore`).
    func claimBatch(now: Date, lease: TimeInterval, limit: Int, owner: ClaimOwner) async throws -> [MessageRecord]

    /// Records the start of an attempt and increments the message's attempt count. Commits before
    /// returning, so the attempt exists before the provider is called.
    func beginAttempt(messageID: MessageID, providerID: String, now: Date) async throws -> AttemptID

    /// Records the starts of several attempts in one transaction, as `beginAttempt` does for each,
    /// and returns their ids in order. Either every attempt is recorded or none.
    func beginAttempts(_ starts: [AttemptStart], now: Date) async throws -> [AttemptID]

    /// Records an attempt's outcome.
    func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        now: Date
    ) async throws

    /// Moves a message to a new state and writes the event row in one transaction. Leaving `sending`
    /// clears the lease.
    func transition(_ messageID: MessageID, _ transition: Transition, now: Date) async throws

    /// Records an attempt's outcome and, when `transition` is given, moves the attempt's message
    /// to its new state, in one transaction: either both are stored or neither.
    func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        then transition: (messageID: MessageID, transition: Transition)?,
        now: Date
    ) async throws

    /// The newest messages in `state` first, at most `limit`.
    func messages(in state: MessageState, limit: Int) async throws -> [MessageRecord]

    /// Returns the `sent` messages past their delivery deadline, oldest first (`updatedAt`, then
    /// id), at most `limit`. For each priority in `cutoffs`, those are the messages accepted by
    /// one of `providerIDs` whose latest update is at or before the priority's cutoff (the time
    /// now minus its delivery deadline), after `cursors[priority]` when given. A priority missing
    /// from `cutoffs` is not read.
    ///
    /// One index seek per provider and priority (`sms_queue_sent_deadline`), so the cost follows
    /// `limit`, not the number of `sent` messages: messages of providers that send no receipts stay
    /// `sent` for good, and are never read.
    func sentMessagesPastDeadline(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        after cursors: [Priority: SentMessageCursor],
        limit: Int
    ) async throws -> [MessageRecord]

    /// Finds the message a provider accepted under `providerMessageID`, for receipts and callbacks.
    func findMessage(providerID: String, providerMessageID: String) async throws -> MessageRecord?

    /// Finds the message as `findMessage` does and stores the transition `decide` returns for it,
    /// in one transaction: the receipt path's lookup and state change in one store call.
    ///
    /// `decide` runs where the store runs (for SQLite, its writer thread): keep it short and pure.
    /// - Returns: the message as found, before the transition, with the transition stored (`nil`
    ///   when `decide` returned `nil`); `nil` when no message matches.
    func findMessage(
        providerID: String,
        providerMessageID: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)?

    func message(_ id: MessageID) async throws -> MessageRecord?

    /// The newest messages first, at most `limit`.
    func messages(limit: Int) async throws -> [MessageRecord]

    func attempts(for messageID: MessageID) async throws -> [AttemptRecord]

    func events(for messageID: MessageID) async throws -> [MessageEvent]

    /// The number of `queued` and `sending` messages per priority.
    func queueDepth() async throws -> [Priority: Int]

    /// The earliest `notBefore` among queued messages that are not ready yet, so a dispatcher can
    /// sleep until then instead of polling.
    func nextWakeDate(now: Date) async throws -> Date?

    /// The attempts on `providerID` whose message goes to `recipient` (E.164 with `+`) and whose
    /// provider message id is not known: `ambiguous` ones without an id, and open ones (no outcome
    /// yet), oldest first. These are the candidates for a delivery receipt whose id matches no
    /// recorded attempt.
    func unresolvedAttempts(providerID: String, recipient: String) async throws -> [UnresolvedAttempt]

    /// Records that a receipt proved an unresolved attempt accepted, in one transaction: when the
    /// attempt is still `ambiguous` without an id, it becomes `accepted` with `providerMessageID`
    /// and `detail`, and the transition `decide` returns for its message (read and locked in the
    /// same transaction) is stored with its event.
    ///
    /// `decide` runs where the store runs: keep it short and pure.
    /// - Returns: the message before the transition, with the transition stored (`nil` when
    ///   `decide` returned `nil`); `nil` when the attempt was no longer unresolved, and then
    ///   nothing is written.
    func adoptReceipt(
        attemptID: AttemptID,
        messageID: MessageID,
        providerMessageID: String,
        detail: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)?

    /// Runs once at start-up: attempts left without an outcome become `ambiguous`, and their messages
    /// move from `sending` to `unknown`. Returns the ids of those messages so the caller can apply
    /// the ambiguity policy. The claims it ends lose their owner, whichever run made them.
    func recoverInterruptedAttempts(now: Date) async throws -> [MessageID]
}

extension MessageStore {
    /// Claims with `claimNext` until `limit` messages are claimed or none is ready.
    public func claimBatch(now: Date, lease: TimeInterval, limit: Int) async throws -> [MessageRecord] {
        var claimed: [MessageRecord] = []
        while claimed.count < limit, let message = try await claimNext(now: now, lease: lease) {
            claimed.append(message)
        }
        return claimed
    }

    /// Begins the attempts one by one with `beginAttempt`; not atomic.
    public func beginAttempts(_ starts: [AttemptStart], now: Date) async throws -> [AttemptID] {
        var ids: [AttemptID] = []
        for start in starts {
            ids.append(try await beginAttempt(messageID: start.messageID, providerID: start.providerID, now: now))
        }
        return ids
    }

    /// Calls `finishAttempt`, then `transition`; not atomic.
    public func finishAttempt(
        _ attemptID: AttemptID,
        outcome: AttemptOutcome,
        providerMessageID: String?,
        detail: String?,
        then transition: (messageID: MessageID, transition: Transition)?,
        now: Date
    ) async throws {
        try await finishAttempt(attemptID, outcome: outcome, providerMessageID: providerMessageID, detail: detail, now: now)
        if let transition {
            try await self.transition(transition.messageID, transition.transition, now: now)
        }
    }

    /// Calls `findMessage`, then `transition` when `decide` returns one. Not atomic.
    public func findMessage(
        providerID: String,
        providerMessageID: String,
        now: Date,
        transitionedBy decide: @escaping @Sendable (MessageRecord) -> Transition?
    ) async throws -> (message: MessageRecord, stored: Transition?)? {
        guard let message = try await findMessage(providerID: providerID, providerMessageID: providerMessageID) else {
            return nil
        }
        guard let transition = decide(message) else { return (message, nil) }
        try await self.transition(message.id, transition, now: now)
        return (message, transition)
    }

    /// Returns the `sent` messages past their delivery deadline from the start of each priority,
    /// as `sentMessagesPastDeadline(cutoffs:providerIDs:after:limit:)` does.
    public func sentMessagesPastDeadline(
        cutoffs: [Priority: Date],
        providerIDs: Set<String>,
        limit: Int
    ) async throws -> [MessageRecord] {
        try await sentMessagesPastDeadline(cutoffs: cutoffs, providerIDs: providerIDs, after: [:], limit: limit)
    }

    /// Filters the newest `limit` messages of every state, so it may return fewer than `limit`
    /// even when more messages are in `state`.
    public func messages(in state: MessageState, limit: Int) async throws -> [MessageRecord] {
        try await messages(limit: limit).filter { $0.state == state }
    }
}
