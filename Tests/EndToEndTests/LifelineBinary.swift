import Foundation

/// The built `lifeline` executable, run as a separate process the way an admin runs it.
enum LifelineBinary {
    /// The result of one finished command.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable next to the test bundle (both are products of the same build), or
    /// `LIFELINE_BINARY` when set.
    static var url: URL {
        if let path = ProcessInfo.processInfo.environment["LIFELINE_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("lifeline")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return packageRoot().appendingPathComponent(".build/debug/lifeline")
    }

    /// Runs one `lifeline` command to completion with a bounded wait.
    static func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Result {
        try await run(executable: url, arguments, timeout: timeout)
    }

    /// Runs any program to completion with a bounded wait, collecting stdout and stderr.
    static func run(executable: URL, _ arguments: [String], timeout: Duration) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timer = Task {
            try await Task.sleep(for: timeout)
            process.terminate()
        }
        async let output = readAll(stdout)
        async let errors = readAll(stderr)
        let (out, err) = await (output, errors)
        await waitForExit(process)
        timer.cancel()
        return Result(status: process.terminationStatus, stdout: out, stderr: err)
    }

    /// Starts `lifeline serve` in the background, logging to `logPath`.
    static func startDaemon(configPath: String, logPath: String, environment: [String: String] = [:]) throws -> Process {
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = url
        process.arguments = ["serve", "--config", configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func readAll(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }
    }
}
