import Config
import Diagnostics
import Foundation
import Gateway
import Simulators
import Store

#if canImport(Glibc)
import Glibc
#endif

/// `lifeline bench smpp`: end-to-end throughput of the real daemon over one SMPP link.
///
/// Writes a temporary config with a single SMPP provider and a temporary database, queues
/// `--messages` messages as one broadcast (one committed transaction), then runs the real
/// `Daemon` (Dispatcher, SMPPProvider, DeliveryTracker, SQLiteStore) until every message is
/// `delivered` or the deadline passes. The SMSC is the project's simulator, started in this
/// process unless `--smsc-port` names a running `lifeline simulate smsc` (system id `lifeline`,
/// password `secret`). The time measured runs from the first attempt's start to the last
/// message's update to `delivered`, both read back from the database. Peak RSS is this process's
/// `ru_maxrss`, which includes the simulator when it runs in process.
///
/// Exits 0 when every message was delivered, 1 otherwise. The temporary files are removed.
///
/// NOTE: `startup_wait_seconds` (daemon start to first submission) is about 30 s today: the
/// daemon's first health probe runs before the SMPP bind completes, fails, and opens the
/// provider's breaker for its cool-down. The throughput figure excludes that wait.
struct BenchCommand: Subcommand {
    /// The text of every benchmark message: 55 GSM characters, one segment.
    static let messageText = "Lifeline benchmark: drill at 10:00, assemble in Hall B."

    let messages: Int
    let window: Int
    let smscPort: UInt16?

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        guard let kind = arguments.nextWord() else {
            throw UsageError("missing benchmark kind: run lifeline bench smpp --messages N")
        }
        guard kind == "smpp" else {
            throw UsageError("unknown benchmark '\(kind)': the only one is smpp")
        }
        guard let text = try arguments.option("messages") else {
            throw UsageError("missing --messages: give a count such as --messages 5000")
        }
        guard let messages = Int(text), (1...1_000_000).contains(messages) else {
            throw UsageError("invalid --messages '\(text)': give a count from 1 to 1000000")
        }
        self.messages = messages
        let windowText = try arguments.option("window") ?? "10"
        guard let window = Int(windowText), (1...100).contains(window) else {
            throw UsageError("invalid --window '\(windowText)': give 1 to 100, as for the window of an SMPP provider")
        }
        self.window = window
        if let portText = try arguments.option("smsc-port") {
            guard let port = UInt16(portText), port > 0 else {
                throw UsageError("invalid --smsc-port '\(portText)': give the port printed by a running lifeline simulate smsc")
            }
            smscPort = port
        } else {
            smscPort = nil
        }
    }

    /// How long the whole run may take before it is reported as incomplete.
    var deadline: Duration { .seconds(60) + .milliseconds(20 * messages) }

    func run() async throws -> ExitCode {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let simulator = smscPort == nil ? SMSCSimulator() : nil
        let port: UInt16
        if let smscPort {
            port = smscPort
        } else {
            port = try await simulator!.start()
        }
        let location = simulator == nil ? "a separate process" : "this process"
        print("lifeline bench smpp: \(messages) messages, window \(window), SMSC 127.0.0.1:\(port) in \(location)")

        let config = try Self.writeConfig(directory: directory, smscPort: port, window: window)
        let store = try await SQLiteStore(path: config.database, notifiesWakeListener: false)
        let queued = try await queueBroadcast(store)

        let logger = Logger(label: "bench", level: .error, handler: StdoutLogHandler(prefixesPriority: false))
        let daemon = Daemon(config: config, logger: logger)
        let daemonStarted = Date()
        let daemonTask = Task { try await daemon.run() }
        let finished = await waitUntilSettled(store, timeout: deadline)
        await daemon.stop()
        let daemonResult = await daemonTask.result
        let peakKiB = Self.peakResidentKiB()

        let summary = try await BenchSummary.read(from: store, messageIDs: queued)
        await store.close()
        await simulator?.stop()
        if case .failure(let error) = daemonResult {
            print("daemon error: \(error)")
        }
        summary.print(peakKiB: peakKiB, finished: finished, messages: messages, daemonStarted: daemonStarted)
        return summary.delivered == messages ? .success : .failure
    }

    private func queueBroadcast(_ store: any QueueDatabase) async throws -> [MessageID] {
        let submissions = (0..<messages).map { index in
            Submission(recipient: Self.recipient(index), text: Self.messageText, priority: .bulk)
        }
        return try await store.createBroadcast(
            name: "bench",
            text: Self.messageText,
            submissions: submissions,
            now: Date()
        ).messageIDs
    }

    /// A number of the UK range set aside for fiction, +447700900000 to +447700900999, chosen
    /// by the index modulo 1000, so that every recipient is a valid UK mobile number.
    static func recipient(_ index: Int) -> String {
        let digits = String(index % 1000)
        return "+447700900" + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// Polls the store until no message is queued, sending or waiting for its receipt (`sent`),
    /// at most `timeout`. Returns whether that happened in time.
    ///
    /// The poll shares the store's writer with the daemon, so it stays light: the indexed queue
    /// depth every 250 ms while messages wait to be sent, then the full counters.
    private func waitUntilSettled(_ store: any QueueDatabase, timeout: Duration) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if let depth = try? await store.queueDepth(), depth.values.reduce(0, +) == 0,
                let counters = try? await store.counters(),
                [MessageState.queued, .sending, .sent].allSatisfy({ (counters.messagesByState[$0] ?? 0) == 0 })
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    static func writeConfig(directory: URL, smscPort: UInt16, window: Int) throws -> LifelineConfig {
        let passwordPath = directory.appendingPathComponent("smpp.password").path
        try Data("secret".utf8).write(to: URL(fileURLWithPath: passwordPath))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordPath)
        let yaml = """
            database: \(directory.path)/lifeline.db
            log_level: error
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(smscPort)
                system_id: lifeline
                password_file: \(passwordPath)
                window: \(window)

            """
        let path = directory.appendingPathComponent("lifeline.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try LifelineConfig.load(path: path, environment: [:]).config
    }

    /// This process's peak resident set size in KiB (Linux reports `ru_maxrss` in KiB).
    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
    }
}

/// What a benchmark run did, read back from its database.
struct BenchSummary {
    var countsByState: [MessageState: Int]
    var attemptsByOutcome: [AttemptOutcome: Int]
    var firstSubmission: Date?
    var lastDelivery: Date?

    var delivered: Int { countsByState[.delivered] ?? 0 }

    /// Reads the counters, the last update of every delivered message and the start of every
    /// attempt (one query per message, after the measured run).
    static func read(from store: any QueueDatabase, messageIDs: [MessageID]) async throws -> BenchSummary {
        let counters = try await store.counters()
        let records = try await store.messages(limit: messageIDs.count)
        let deliveredDates = records.filter { $0.state == .delivered }.map(\.updatedAt)
        var firstSubmission: Date?
        for id in messageIDs {
            for attempt in try await store.attempts(for: id) where firstSubmission.map({ attempt.startedAt < $0 }) ?? true {
                firstSubmission = attempt.startedAt
            }
        }
        return BenchSummary(
            countsByState: counters.messagesByState,
            attemptsByOutcome: counters.attemptsByOutcome,
            firstSubmission: firstSubmission,
            lastDelivery: deliveredDates.max()
        )
    }

    func print(peakKiB: Int, finished: Bool, messages: Int, daemonStarted: Date) {
        let states = MessageState.allCases
            .compactMap { state in countsByState[state].flatMap { $0 > 0 ? "\(state.rawValue) \($0)" : nil } }
            .joined(separator: ", ")
        let outcomes = AttemptOutcome.allCases
            .compactMap { outcome in attemptsByOutcome[outcome].flatMap { $0 > 0 ? "\(outcome.rawValue) \($0)" : nil } }
            .joined(separator: ", ")
        Swift.print("states: \(states)")
        Swift.print("attempts: \(outcomes)")
        if !finished {
            Swift.print("incomplete: the deadline passed before every message reached a final state")
        }
        if let first = firstSubmission, let last = lastDelivery, last > first {
            let seconds = last.timeIntervalSince(first)
            Swift.print("delivered: \(delivered) of \(messages)")
            Swift.print(String(format: "startup_wait_seconds: %.3f", first.timeIntervalSince(daemonStarted)))
            Swift.print(String(format: "elapsed_seconds: %.3f", seconds))
            Swift.print(String(format: "messages_per_second: %.1f", Double(delivered) / seconds))
        } else {
            Swift.print("delivered: \(delivered) of \(messages)")
            Swift.print("messages_per_second: n/a (no delivered message)")
        }
        Swift.print("peak_rss_kib: \(peakKiB)")
    }
}
