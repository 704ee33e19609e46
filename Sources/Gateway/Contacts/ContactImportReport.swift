import Store

/// The result of a contact import: the rows imported, updated and rejected.
public struct ContactImportReport: Sendable, Equatable, Codable {
    /// A row that was stored.
    public struct StoredRow: Sendable, Equatable, Codable {
        public var line: Int
        /// The number in E.164 form.
        public var number: String
    }

    /// The group the contacts were added to.
    public var group: String
    /// `,` or `;`, as detected from the header.
    public var delimiter: String
    /// The columns stored as template variables.
    public var variableColumns: [String]
    /// Rows that created a contact.
    public var imported: [StoredRow]
    /// Rows whose number was already a contact: its name and variables were updated.
    public var updated: [StoredRow]
    /// Rows left out, with their line and reason.
    public var rejected: [ContactSheet.Rejection]
}
