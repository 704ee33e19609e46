import Config
import Foundation
import Gateway
import Store

/// `lifeline contacts`: imports CSV contact lists into groups, lists groups and their members,
/// and deletes a group.
///
/// - `contacts import FILE --group NAME [--json]`: stores the file's valid rows in one
///   transaction and prints what happened to each row. Exits 65 when rows were rejected (the
///   valid rows are stored all the same), 0 when none were.
/// - `contacts list [--group NAME] [--json]`: the groups with their member counts, or one
///   group's members with their variables.
/// - `contacts delete --group NAME`: removes the group and its memberships; contacts stay.
struct ContactsCommand: Subcommand {
    enum Action {
        case importFile(path: String, group: String)
        case list(group: String?)
        case delete(group: String)
    }

    let configPath: String
    let action: Action
    let json: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
        json = arguments.flag("json")
        let group = try arguments.option("group")
        switch arguments.nextWord() {
        case "import":
            guard let path = arguments.nextWord() else {
                throw UsageError("contacts import needs a CSV file: lifeline contacts import FILE --group NAME")
            }
            guard let group, !group.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw UsageError("contacts import needs --group NAME, the group to add the contacts to")
            }
            action = .importFile(path: path, group: group)
        case "list":
            action = .list(group: group)
        case "delete":
            guard let group else { throw UsageError("contacts delete needs --group NAME") }
            action = .delete(group: group)
        case let word?:
            throw UsageError("unknown contacts action '\(word)'; use import, list or delete")
        case nil:
            throw UsageError("contacts needs an action: import FILE --group NAME, list [--group NAME], delete --group NAME")
        }
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: configPath)
        let store = try await openQueueDatabase(config: config)
        do {
            let code = try await run(on: store, config: config)
            await store.close()
            return code
        } catch {
            await store.close()
            throw error
        }
    }

    private func run(on store: any QueueDatabase, config: LifelineConfig) async throws -> ExitCode {
        switch action {
        case .importFile(let path, let group):
            let report: ContactImportReport
            do {
                report = try await ContactImporter(config: config).importFile(
                    atPath: path,
                    intoGroup: group,
                    store: store,
                    now: Date()
                )
            } catch let error as ContactImportError {
                throw InputError(error.description)
            }
            print(json ? try MessageListing.json(report) : Self.render(report), terminator: json ? "\n" : "")
            return report.rejected.isEmpty ? .success : .dataError

        case .list(nil):
            let groups = try await store.contactGroups()
            if json {
                print(try MessageListing.json(groups))
            } else if groups.isEmpty {
                print("No contact groups. Import one with: lifeline contacts import FILE --group NAME")
            } else {
                let rows = [["GROUP", "MEMBERS"]] + groups.map { [$0.name, String($0.memberCount)] }
                print(TextTable.render(rows), terminator: "")
            }
            return .success

        case .list(let group?):
            guard let contacts = try await store.contacts(inGroup: group) else {
                throw InputError("no contact group is named \"\(group)\"; see lifeline contacts list")
            }
            if json {
                print(try MessageListing.json(contacts))
            } else {
                print(Self.render(contacts), terminator: "")
            }
            return .success

        case .delete(let group):
            guard try await store.deleteContactGroup(group) else {
                throw InputError("no contact group is named \"\(group)\"; see lifeline contacts list")
            }
            print("Deleted the group \"\(group)\"; its contacts stay in the other groups.")
            return .success
        }
    }

    static func render(_ report: ContactImportReport) -> String {
        var output = "Group \"\(report.group)\": \(report.imported.count) imported, \(report.updated.count) updated, "
            + "\(report.rejected.count) rejected.\n"
        if !report.variableColumns.isEmpty {
            output += "Template variables: " + report.variableColumns.map { "{\($0)}" }.joined(separator: ", ") + "\n"
        }
        guard !report.rejected.isEmpty else { return output }
        output += "Rejected rows (nothing of them was stored):\n"
        let rows = report.rejected.map { ["line \($0.line)", $0.number.isEmpty ? "-" : $0.number, $0.reason] }
        return output + TextTable.render(rows)
    }

    static func render(_ contacts: [ContactRecord]) -> String {
        guard !contacts.isEmpty else { return "The group has no members.\n" }
        var rows = [["NUMBER", "NAME", "VARIABLES"]]
        for contact in contacts {
            let variables = contact.variables.keys.sorted().map { "\($0)=\(contact.variables[$0] ?? "")" }
            rows.append([contact.number, contact.name ?? "-", variables.joined(separator: " ")])
        }
        return TextTable.render(rows)
    }
}
