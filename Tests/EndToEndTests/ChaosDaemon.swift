import Foundation

/// One `lifeline serve` that a test kills with SIGKILL and starts again, each run logging to its
/// own file in the stage directory. With a `network`, the daemon runs inside its namespace.
///
/// `kill()` records the moment the killed process had exited, so the audit can tell which
/// messages were in flight. `stop()` sends SIGINT, waits at most `stopTimeout`, then SIGKILLs.
actor ChaosDaemon {
    /// How long `stop()` waits for a clean exit before killing.
    static let stopTimeout: Duration = .seconds(20)

    let configPath: String
    let directory: String
    let network: ChaosNetwork?
    private var process: Process?
    private var runs = 0
    /// Variables added to the daemon's environment at each start (not in a network namespace).
    private var environment: [String: String] = [:]
    private(set) var killTimes: [Date] = []

    init(configPath: String, directory: String, network: ChaosNetwork? = nil) {
        self.configPath = configPath
        self.directory = directory
        self.network = network
    }

    /// Sets the variables added to the environment of every later start.
    func use(environment: [String: String]) {
        self.environment = environment
    }

    /// Starts a new run; the previous one must have been killed or stopped.
    func start() throws {
        runs += 1
        if let network {
            process = try network.startDaemon(configPath: configPath, logPath: logPath(run: runs))
        } else {
            process = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath(run: runs), environment: environment)
        }
    }

    /// SIGKILLs the running daemon and waits until it has exited.
    func kill() async {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await waitForExit(process)
        killTimes.append(Date())
        self.process = nil
    }

    /// Sends SIGINT and waits for the exit; SIGKILLs after `stopTimeout`. Returns the exit
    /// status of a clean exit, `nil` when it had to be killed or nothing was running.
    @discardableResult
    func stop() async -> Int32? {
        guard let process else { return nil }
        self.process = nil
        process.interrupt()
        let deadline = ContinuousClock.now + Self.stopTimeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            await waitForExit(process)
            return nil
        }
        await waitForExit(process)
        return process.terminationStatus
    }

    /// Whether the current run is still alive (it may have exited on its own).
    var isRunning: Bool { process?.isRunning ?? false }

    /// Re-reads the current run's log every 200 ms until it contains `text`, for at most
    /// `timeout`. Returns whether it appeared.
    func waitForLog(_ text: String, timeout: Duration) async -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if let log = try? String(contentsOfFile: logPath(run: runs), encoding: .utf8), log.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Returns every run's output, oldest first, each under a header line.
    func logs() -> String {
        (1...max(runs, 1)).map { run in
            let text = (try? String(contentsOfFile: logPath(run: run), encoding: .utf8)) ?? "(no log)"
            return "--- daemon run \(run) ---\n" + text
        }.joined(separator: "\n")
    }

    private func logPath(run: Int) -> String {
        directory + "/daemon-\(run).log"
    }
}
