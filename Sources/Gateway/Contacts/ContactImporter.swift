import Config
import Diagnostics
import Foundation
import Store

/// Imports a CSV contact list into a group: reads the file, checks every row, stores the valid
/// rows in one transaction, and reports each row's fate.
///
/// The file format is `ContactSheet`'s. Rejected rows do not stop the import: they are listed
/// in the report with their line and reason, and the others are stored. When no row is valid,
/// nothing is written (the group is not created).
public struct ContactImporter: Sendable {
    /// The region code for national-format numbers, such as "GB".
    public var defaultRegion: String?
    let logger: Logger

    public init(defaultRegion: String?, logger: Logger = .disabled) {
        self.defaultRegion = defaultRegion
        self.logger = logger
    }

    public init(config: LifelineConfig, logger: Logger = .disabled) {
        self.init(defaultRegion: config.defaultRegion, logger: logger)
    }

    /// Imports the CSV file at `path` into `group`.
    /// - Throws: `ContactImportError` when the file cannot be read or parsed; `StoreError` when
    ///   the store fails (then nothing was stored).
    public func importFile(atPath path: String, intoGroup group: String, store: any QueueDatabase, now: Date) async throws
        -> ContactImportReport
    {
        let groupName = try Self.checkedGroupName(group)
        let bytes = try await ContactFile.read(path: path)
        return try await importCSV(bytes, intoGroup: groupName, store: store, now: now)
    }

    /// Imports CSV bytes into `group`.
    /// - Throws: as `importFile(atPath:intoGroup:store:now:)`.
    public func importCSV(_ bytes: [UInt8], intoGroup group: String, store: any QueueDatabase, now: Date) async throws
        -> ContactImportReport
    {
        let groupName = try Self.checkedGroupName(group)
        let sheet: ContactSheet
        do {
            sheet = try ContactSheet(csv: bytes, defaultRegion: defaultRegion)
        } catch {
            throw ContactImportError.csv(error)
        }
        var report = ContactImportReport(
            group: groupName,
            delimiter: String(UnicodeScalar(sheet.delimiter.rawValue)),
            variableColumns: sheet.variableColumns,
            imported: [],
            updated: [],
            rejected: sheet.rejections
        )
        guard !sheet.rows.isEmpty else { return report }

        let outcomes = try await store.importContacts(sheet.rows.map(\.contact), intoGroup: groupName, now: now)
        for (row, outcome) in zip(sheet.rows, outcomes) {
            let stored = ContactImportReport.StoredRow(line: row.line, number: row.contact.number)
            switch outcome {
            case .inserted: report.imported.append(stored)
            case .updated: report.updated.append(stored)
            }
        }
        logger.debug(
            "Imported contact file",
            metadata: [
                "contacts.group": "\(groupName)",
                "contacts.imported": "\(report.imported.count)",
                "contacts.updated": "\(report.updated.count)",
                "contacts.rejected": "\(report.rejected.count)",
            ]
        )
        return report
    }

    private static func checkedGroupName(_ group: String) throws(ContactImportError) -> String {
        let trimmed = group.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .emptyGroupName }
        return trimmed
    }
}
