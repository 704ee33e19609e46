import Foundation

/// A person a broadcast can reach: one E.164 number, an optional name, and the template
/// variables imported with them (seat, team, language...).
public struct ContactRecord: Sendable, Equatable, Codable {
    public var id: Int64
    /// The number in E.164 form with the leading `+`; unique among contacts.
    public var number: String
    public var name: String?
    /// Template variables by name, as imported. Empty values are never stored, so a template that
    /// uses one reports it missing instead of sending a blank.
    public var variables: [String: String]
    public var createdAt: Date

    public init(id: Int64, number: String, name: String?, variables: [String: String], createdAt: Date) {
        self.id = id
        self.number = number
        self.name = name
        self.variables = variables
        self.createdAt = createdAt
    }
}

/// One contact to add or update by an import: already validated and normalised by the caller.
public struct ContactImport: Sendable, Equatable {
    /// E.164 with the leading `+`.
    public var number: String
    /// The name to store; `nil` keeps the name an existing contact has.
    public var name: String?
    /// Variables to store. On an update they are merged into the stored ones, the imported value
    /// winning for a name present in both.
    public var variables: [String: String]

    public init(number: String, name: String? = nil, variables: [String: String] = [:]) {
        self.number = number
        self.name = name
        self.variables = variables
    }
}

/// The result of an import for one row: a new contact or an updated one.
public enum ContactImportOutcome: String, Sendable, Equatable, Codable {
    /// A new contact was created.
    case inserted
    /// A contact with this number existed; its name and variables were updated.
    case updated
}
