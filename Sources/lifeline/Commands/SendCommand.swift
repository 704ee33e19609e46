import Config
import Foundation
import Gateway
import Store

/// `lifeline send`: queues one message. Works whether or not the daemon runs; a running daemon
/// is woken through the store's wake-up socket and sends it at once.
struct SendCommand: Subcommand {
    struct Receipt: Codable {
        var id: MessageID
        var recipient: String
        var priority: String
        var encoding: String
        var segments: Int
    }

    let configPath: String
    let recipient: String
    let text: String
    let priority: Priority
    let json: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
        guard let recipient = try arguments.option("to") else {
            throw UsageError("send needs --to NUMBER, for example --to +447700900123")
        }
        guard let text = try arguments.option("text") else {
            throw UsageError("send needs --text TEXT")
        }
        self.recipient = recipient
        self.text = text
        priority = try parsePriority(try arguments.option("priority"))
        json = arguments.flag("json")
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: configPath)
        let checked: Intake.Checked
        do {
            checked = try Intake(config: config).check(recipient: recipient, text: text, priority: priority)
        } catch {
            throw InputError(error.description)
        }
        let store = try await openQueueDatabase(config: config)
        let ids = try await store.enqueue([checked.submission], now: Date())
        await store.close()

        let receipt = Receipt(
            id: ids[0],
            recipient: checked.submission.recipient,
            priority: priority.rawValue,
            encoding: "\(checked.plan.encoding)",
            segments: checked.plan.segments.count
        )
        if json {
            print(try MessageListing.json(receipt))
        } else {
            let plural = receipt.segments == 1 ? "" : "s"
            print("Queued message \(receipt.id) to \(receipt.recipient), priority \(receipt.priority), \(receipt.encoding), \(receipt.segments) segment\(plural).")
        }
        return .success
    }
}

/// Parses `--priority`; `normal` when absent.
func parsePriority(_ text: String?) throws(UsageError) -> Priority {
    guard let text else { return .normal }
    guard let priority = Priority(rawValue: text.lowercased()) else {
        let names = Priority.allCases.map(\.rawValue).joined(separator: ", ")
        throw UsageError("--priority must be one of \(names), got '\(text)'")
    }
    return priority
}
