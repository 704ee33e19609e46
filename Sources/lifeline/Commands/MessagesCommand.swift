import Diagnostics
import Foundation
import Store

/// `lifeline messages`: the newest messages with their state, provider and attempts, with
/// `--id N` one message with every attempt and event, or with `--inbound` the newest received
/// messages (sender numbers masked, as in the logs).
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
    let inbound: Bool

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
        inbound = arguments.flag("inbound")
        if inbound, messageID != nil {
            throw UsageError("--id shows one sent message; it cannot be combined with --inbound")
        }
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: configPath)
        let store = try await openQueueDatabase(config: config)
        defer { Task { await store.close() } }
        if let messageID {
            return try await showDetail(of: messageID, store: store)
        }
        if inbound {
            let received = try await store.inboundMessages(limit: limit).map(InboundListing.Row.init)
            print(json ? try MessageListing.json(received) : InboundListing.table(received), terminator: json ? "\n" : "")
            return .success
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
    private func showDetail(of id: MessageID, store: any QueueDatabase) async throws -> ExitCode {
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

/// Renders received messages, with each sender number masked like a phone number in the logs.
enum InboundListing {
    /// One received message as `--inbound` prints it.
    struct Row: Encodable {
        var id: Int64
        var receivedAt: Date
        var providerID: String
        /// Masked: `+447700900123` becomes `+44770*****23`; an alphanumeric sender stays as sent.
        var sender: String
        var text: String
        var smscTimestamp: Date?
        var parts: Int

        init(_ record: InboundMessageRecord) {
            id = record.id
            receivedAt = record.message.receivedAt
            providerID = record.message.providerID
            sender = InboundListing.masked(record.message.sender)
            text = record.message.text
            smscTimestamp = record.message.smscTimestamp
            parts = record.message.parts
        }
    }

    static func table(_ rows: [Row]) -> String {
        guard !rows.isEmpty else { return "No inbound messages.\n" }
        let formatter = ISO8601DateFormatter()
        var table = [["ID", "RECEIVED", "PROVIDER", "SENDER", "PARTS", "TEXT"]]
        for row in rows {
            table.append([
                String(row.id),
                formatter.string(from: row.receivedAt),
                row.providerID,
                row.sender,
                String(row.parts),
                // One line per message: a line break inside the text would break the columns.
                row.text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " "),
            ])
        }
        return TextTable.render(table)
    }

    /// Masks a sender made of a number (digits with an optional `+`); a name is no phone number.
    static func masked(_ sender: String) -> String {
        let isNumber = !sender.isEmpty && sender.drop { $0 == "+" }.allSatisfy { $0.isASCII && $0.isNumber }
        return isNumber ? redactedPhoneNumber(sender) : sender
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
