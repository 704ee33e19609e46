/// How urgently a message must leave. Dispatch is strictly by priority, then first in, first out.
public enum Priority: String, Sendable, CaseIterable, Codable, Comparable {
    case emergency
    case high
    case normal
    case bulk

    /// 0 for `emergency` up to 3 for `bulk`; a lower rank is dispatched first. Stored in the queue table.
    public var rank: Int {
        switch self {
        case .emergency: 0
        case .high: 1
        case .normal: 2
        case .bulk: 3
        }
    }

    public init?(rank: Int) {
        guard let priority = Priority.allCases.first(where: { $0.rank == rank }) else { return nil }
        self = priority
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
