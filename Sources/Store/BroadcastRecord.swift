import Foundation

/// A broadcast row with its progress: how many of its messages are in each state.
public struct BroadcastRecord: Sendable, Equatable {
    public var id: Int64
    /// An operator's label, such as "Evacuation hall B".
    public var name: String?
    /// The text or template the broadcast was created from.
    public var text: String
    public var createdAt: Date
    /// When the broadcast was cancelled, or `nil`.
    public var cancelledAt: Date?
    /// Messages per state, computed from the queue when read; states with no message are absent.
    public var countsByState: [MessageState: Int]

    /// The number of messages the broadcast has in the queue table.
    public var total: Int { countsByState.values.reduce(0, +) }

    public init(
        id: Int64,
        name: String?,
        text: String,
        createdAt: Date,
        cancelledAt: Date? = nil,
        countsByState: [MessageState: Int] = [:]
    ) {
        self.id = id
        self.name = name
        self.text = text
        self.createdAt = createdAt
        self.cancelledAt = cancelledAt
        self.countsByState = countsByState
    }
}
