import Config
import Foundation
import Gateway
import HTTPAPI
import SMSCodec
import Store

/// `lifeline broadcast`: queues one message per recipient of a group or a CSV file, all in one
/// transaction, and optionally follows the broadcast until every message is final.
///
/// Every recipient is rendered and checked first: one invalid number or missing template
/// variable rejects the broadcast (exit 65) with the list of problems, and nothing is queued.
/// With `--idempotency-key`, repeating the command returns the first broadcast instead of
/// queuing a second. With `--wait`, the counts per state are re-read from the store each second
/// (with a progress bar on a terminal) until every message is final, with an estimate of the
/// time left from the recent send rate (`BroadcastRateEstimator`). Interrupting the wait does
/// not stop the broadcast. After `--wait` the exit code is 1 when any message failed, expired or
/// was cancelled.
struct BroadcastCommand: Subcommand {
    /// The receipt as printed with `--json`.
    struct Output: Codable {
        var broadcastID: Int64
        var recipients: Int
        var encoding: String
        var encodingVaries: Bool
        var segmentsPerMessage: Int
        var minimumSegmentsPerMessage: Int
        var segmentsVary: Bool
        var totalSegments: Int
        var replay: Bool
        /// After `--wait`: messages per final state.
        var finalCounts: [String: Int]?
    }

    let configPath: String
    let audience: BroadcastIntake.Audience
    let content: BroadcastIntake.Content
    let variables: [String: String]
    let priority: Priority
    let idempotencyKey: String?
    let json: Bool
    let wait: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        configPath = try resolveConfigPath(from: &arguments)
        switch (try arguments.option("group"), try arguments.option("to-file")) {
        case (let group?, nil): audience = .group(group)
        case (nil, let path?): audience = .csvFile(path: path)
        case (nil, nil): throw UsageError("broadcast needs --group NAME or --to-file FILE")
        case (_?, _?): throw UsageError("give --group or --to-file, not both")
        }
        switch (try arguments.option("text"), try arguments.option("template")) {
        case (let text?, nil): content = .text(text)
        case (nil, let name?): content = .template(name: name)
        case (nil, nil): throw UsageError("broadcast needs --text TEXT or --template NAME")
        case (_?, _?): throw UsageError("give --text or --template, not both")
        }
        let assignments = arguments.repeatedOption("var")
        if case .text = content, !assignments.isEmpty {
            throw UsageError("--var sets template variables: use it with --template NAME")
        }
        variables = try Self.parseVariables(assignments)
        priority = try parsePriority(try arguments.option("priority"))
        idempotencyKey = try arguments.option("idempotency-key")
        if let idempotencyKey, idempotencyKey.isEmpty {
            throw UsageError("--idempotency-key must not be empty")
        }
        json = arguments.flag("json")
        wait = arguments.flag("wait")
    }

    /// Parses `KEY=VALUE` pairs; the value may hold further `=` signs and may be empty.
    static func parseVariables(_ assignments: [String]) throws(UsageError) -> [String: String] {
        var variables: [String: String] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw UsageError("--var needs KEY=VALUE, got '\(assignment)'")
            }
            let key = String(assignment[..<equals])
            guard variables[key] == nil else { throw UsageError("--var \(key) is given twice; give it once") }
            variables[key] = String(assignment[assignment.index(after: equals)...])
        }
        return variables
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
        let request = BroadcastIntake.Request(
            audience: audience,
            content: content,
            variables: variables,
            priority: priority,
            idempotencyKey: idempotencyKey
        )
        let receipt: BroadcastIntake.Receipt
        do {
            receipt = try await BroadcastIntake(config: config).submit(request, to: store, now: Date())
        } catch let error as BroadcastIntakeError {
            throw InputError(error.description)
        }
        var output = Self.output(receipt)
        if !json {
            print(Self.render(receipt))
            // Flushed at once, so a wait that is interrupted (Ctrl-C, a closed pipe) still shows the id.
            fflush(nil)
        }
        guard wait else {
            if json { print(try MessageListing.json(output)) }
            return .success
        }

        let final = try await BroadcastProgress(store: store, broadcastID: receipt.broadcastID, showsProgress: !json)
            .followUntilFinal()
        output.finalCounts = Dictionary(uniqueKeysWithValues: final.map { ($0.key.rawValue, $0.value) })
        if json {
            print(try MessageListing.json(output))
        } else {
            print("Finished: " + BroadcastProgress.describe(final))
        }
        let unsuccessful = final.filter { $0.key != .delivered }.values.reduce(0, +)
        return unsuccessful == 0 ? .success : .failure
    }

    static func output(_ receipt: BroadcastIntake.Receipt) -> Output {
        Output(
            broadcastID: receipt.broadcastID,
            recipients: receipt.recipientCount,
            encoding: receipt.summary.encoding.rawValue,
            encodingVaries: receipt.summary.encodingVaries,
            segmentsPerMessage: receipt.summary.maximumSegments,
            minimumSegmentsPerMessage: receipt.summary.minimumSegments,
            segmentsVary: receipt.summary.segmentsVary,
            totalSegments: receipt.summary.totalSegments,
            replay: receipt.isReplay
        )
    }

    static func render(_ receipt: BroadcastIntake.Receipt) -> String {
        let summary = receipt.summary
        let encoding = summary.encoding == .gsm7 ? "GSM 7-bit" : "UCS-2"
        let encodingNote = summary.encodingVaries ? " for some recipients (others GSM 7-bit)" : ""
        let segments =
            summary.segmentsVary
            ? "\(summary.minimumSegments) to \(summary.maximumSegments) segments per message"
            : "\(summary.maximumSegments) segment\(summary.maximumSegments == 1 ? "" : "s") per message"
        let head =
            receipt.isReplay
            ? "Broadcast \(receipt.broadcastID) already exists under this idempotency key; nothing new was queued:"
            : "Queued broadcast \(receipt.broadcastID):"
        return "\(head) \(receipt.recipientCount) recipients, \(encoding)\(encodingNote), \(segments), "
            + "\(summary.totalSegments) segments in all."
    }
}

/// Follows a broadcast's counts per state, re-read from the store once a second.
struct BroadcastProgress {
    let store: any QueueDatabase
    let broadcastID: Int64
    /// Prints progress: a bar redrawn in place on a terminal whenever it changes, else a line
    /// whenever the counts change (a new estimate alone prints nothing, so a log stays short).
    let showsProgress: Bool

    /// Returns the final counts per state once every message is final (`MessageState.isFinal`).
    ///
    /// NOTE: a message that stays `sent` (a provider without delivery receipts), `unknown` or
    /// `undelivered` is not final, so the wait goes on until it changes or the operator interrupts.
    func followUntilFinal() async throws -> [MessageState: Int] {
        let onTerminal = isatty(STDOUT_FILENO) == 1
        var lastLine = ""
        var estimator: BroadcastRateEstimator?
        while true {
            guard let record = try await store.broadcast(broadcastID) else {
                throw InputError("broadcast \(broadcastID) no longer exists")
            }
            var rates = estimator ?? BroadcastRateEstimator(createdAt: record.createdAt)
            rates.record(record, at: Date())
            estimator = rates
            let finished = record.countsByState.filter { $0.key.isFinal }.values.reduce(0, +)
            let counts = Self.line(record, finished: finished)
            let line = Self.line(record, finished: finished, estimate: rates.estimate(for: record))
            if showsProgress && onTerminal && line != lastLine {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
                lastLine = line
            } else if showsProgress && !onTerminal && counts != lastLine {
                print(line)
                fflush(nil)
                lastLine = counts
            }
            if finished == record.total {
                if showsProgress && onTerminal { print("") }
                return record.countsByState
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Returns the progress line: the bar, the final count and the counts per state.
    static func line(_ record: BroadcastRecord, finished: Int) -> String {
        let width = 30
        let fraction = record.total == 0 ? 1 : Double(finished) / Double(record.total)
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(finished)/\(record.total) final  " + describe(record.countsByState)
    }

    /// Returns the progress line with the time left while messages are still queued or sending.
    static func line(_ record: BroadcastRecord, finished: Int, estimate: BroadcastRateEstimator.Estimate) -> String {
        let counts = line(record, finished: finished)
        return estimate.remaining > 0 ? counts + "  (" + estimate.summary + ")" : counts
    }

    /// "delivered 120, sent 30, queued 4850", in the order of a message's life.
    static func describe(_ counts: [MessageState: Int]) -> String {
        MessageState.allCases.compactMap { state in counts[state].map { "\(state.rawValue) \($0)" } }
            .joined(separator: ", ")
    }
}
