import Foundation

/// One box of a shared queue as `lifeline_boxes` records it.
public struct BoxRecord: Sendable, Equatable {
    /// The box's `node` name.
    public var node: String
    /// The ids of the providers in the box's config, in pool order.
    public var providerIDs: [String]
    /// The database server's time of the box's latest heartbeat.
    public var heartbeatAt: Date

    public init(node: String, providerIDs: [String], heartbeatAt: Date) {
        self.node = node
        self.providerIDs = providerIDs
        self.heartbeatAt = heartbeatAt
    }
}

/// The boxes sharing one queue, and hand-offs of messages between them.
///
/// Each box routes only through the providers in its own config, and a modem is plugged into
/// one box. When a box has tried every provider it has for a message and another live box has
/// one the message has not tried, the message is handed off: put back in the queue marked for
/// that box (`MessageRecord.handoffNode`), and only that box claims it. A box is live while its
/// latest heartbeat is within `handoffWait`, measured on the database server's clock so the boxes'
/// own clocks do not matter. When the box a message was handed off to stops heartbeating for
/// longer than `handoffWait`, the hand-off lapses: any box may claim the message again, and the
/// dispatcher then fails it with a reason naming that box.
///
/// `PostgresStore` implements it; one box on SQLite has no other box to hand off to.
public protocol BoxRegistry: Sendable {
    /// This box's name.
    var node: String { get }
    /// How long after a box's latest heartbeat it counts as gone, and its hand-offs lapse.
    var handoffWait: Duration { get }

    /// Records this box with its providers and sets its heartbeat to the server's time now.
    /// Call it at start and then on a schedule well inside `handoffWait`.
    func registerBox(providerIDs: [String]) async throws

    /// Returns the boxes other than this one whose latest heartbeat is within `handoffWait`, by name.
    func liveBoxes() async throws -> [BoxRecord]

    /// Puts a message this box has claimed back in the queue for `node` alone, with an event
    /// carrying `reason`, in one transaction that wakes the listening boxes.
    func handOff(_ messageID: MessageID, to node: String, reason: String, now: Date) async throws

    /// Counts the queued messages handed off to a box whose hand-off has lapsed, so a box's
    /// schedule can wake its dispatcher to claim and settle them.
    func lapsedHandoffCount() async throws -> Int
}
