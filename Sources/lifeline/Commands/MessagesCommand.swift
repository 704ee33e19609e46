import Foundation
import Store

/// `lifeline messages`: the newest messages with their state, provider and attempts, or with
/// `--id N` one message with every attempt and event.
struct MessagesCommand: Subcommand {
    /// One message with its attempts and events, for `--id`.
    struct Detail: Codable {
        var message: MessageRecord
        var attempts: [AttemptRecord]
        var events: [MessageEvent]
    }

    let configPath: String
    let limit: Int
    let messageID: MessageID?
    let json: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
        json = arguments.flag("json")
        let limitText = try arguments.option("limit") ?? "50"
        guard let limit = Int(limitText), limit > 0 else {
            throw UsageError("--limit must be a positive whole number, got '\(limitText)'")
        }
        self.limit = limit
        let idText = try arguments.option("id")
        guard idText.map({ MessageID($0) != nil }) ?? true else {
            throw UsageError("--id must be a message id (a whole number), got '\(idText ?? "")'")
        }
        messageID = idText.flatMap { MessageID($0) }
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: configPath)
        let store = try await SQLiteStore(path: config.database)
        defer { Task { await store.close() } }
        if let messageID {
            return try await showDetail(of: messageID, store: store)
        }
        let messages = try await store.messages(limit: limit)
        if json {
            print(try MessageListing.json(messages))
        } else {
            print(MessageListing.table(messages), terminator: "")
        }
        return .success
    }
}

extension MessagesCommand {
    private func showDetail(of id: MessageID, store: SQLiteStore) async throws -> ExitCode {
        guard let message = try await store.message(id) else {
            throw InputError("message \(id) not found; list recent ones with lifeline messages")
        }
        let detail = Detail(
            message: message,
            attempts: try await store.attempts(for: id),
            events: try await store.events(for: id)
        )
        if json {
            print(try MessageListing.json(detail))
            return .success
        }
        print(MessageListing.table([message]))
        var attempts = [["ATTEMPT", "PROVIDER", "OUTCOME", "PROVIDER ID", "DETAIL"]]
        for attempt in detail.attempts {
            attempts.append([
                String(attempt.id),
                attempt.providerID,
                attempt.outcome?.rawValue ?? "in flight",
                attempt.providerMessageID ?? "-",
                attempt.detail ?? "",
            ])
        }
        print(TextTable.render(attempts))
        var events = [["TIME", "STATE", "PROVIDER", "REASON"]]
        for event in detail.events {
            events.append([
                ISO8601DateFormatter().string(from: event.at),
                event.state.rawValue,
                event.providerID ?? "-",
                event.reason ?? "",
            ])
        }
        print(TextTable.render(events), terminator: "")
        return .success
    }
}

/// Prints a block of output, adding the final line end when the block has none.
func printBlock(_ text: String) {
    print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
}

/// Renders message records for the terminal or as JSON.
enum MessageListing {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func table(_ messages: [MessageRecord]) -> String {
        guard !messages.isEmpty else { return "No messages.\n" }
        var rows = [["ID", "RECIPIENT", "PRIORITY", "STATE", "PROVIDER", "ATTEMPTS", "REASON"]]
        for message in messages {
            rows.append([
                String(message.id),
                message.recipient,
                message.priority.rawValue,
                message.state.rawValue,
                message.providerID ?? "-",
                String(message.attempts),
                message.lastReason ?? "",
            ])
        }
        return TextTable.render(rows)
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let columnCount = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columnCount)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var output = ""
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            output += cells.joined(separator: "  ") + "\n"
        }
        return output
    }
}
