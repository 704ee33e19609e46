import Foundation

/// A named group of contacts, such as "attendees" or "staff-hall-b", with its member count.
public struct ContactGroupSummary: Sendable, Equatable, Codable {
    public var id: Int64
    /// Unique among groups; compared exactly (case-sensitive).
    public var name: String
    public var memberCount: Int
    public var createdAt: Date

    public init(id: Int64, name: String, memberCount: Int, createdAt: Date) {
        self.id = id
        self.name = name
        self.memberCount = memberCount
        self.createdAt = createdAt
    }
}
