import Foundation

/// A Python peer from Tests/Peers that serves on loopback, started for one test.
///
/// The peer prints one line when it is ready (its port, or a JSON object) and exits when its
/// stdin closes, which happens when this object is released, or after its own bounded lifetime.
final class PeerServer: @unchecked Sendable {
    // @unchecked: every field is set in `start` before the instance is shared and never changes.
    /// The peer's first line on stdout, without the newline.
    let firstLine: String
    private let process: Process
    private let stdin: Pipe

    private init(firstLine: String, process: Process, stdin: Pipe) {
        self.firstLine = firstLine
        self.process = process
        self.stdin = stdin
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    /// Starts `Tests/Peers/<script>` and waits for its first line.
    /// - Throws: `PeerStartError` with the end of its stderr when it prints nothing.
    static func start(script: String, arguments: [String] = []) async throws -> PeerServer {
        let root = PackageRoot.url
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/Peers/\(script)").path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        // stderr goes to a file, read only when the peer fails to start, so it never fills a pipe.
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(script)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorLog) }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()

        let line = await readLine(of: stdout.fileHandleForReading).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else {
            process.terminate()
            let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw PeerStartError(script: script, errors: String(errors.suffix(3000)))
        }
        return PeerServer(firstLine: line, process: process, stdin: stdin)
    }

    /// The first line read as a port number.
    var port: Int? { Int(firstLine) }

    /// Runs `Tests/Peers/<script>` to completion with `input` on stdin; returns its exit status and stdout.
    static func run(script: String, input: Data) async throws -> (status: Int32, output: Data) {
        let root = PackageRoot.url
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/Peers/\(script)").path]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        return await withCheckedContinuation { continuation in
            // Blocking reads and writes stay off the cooperative pool.
            Thread.detachNewThread {
                let writer = Thread {
                    stdin.fileHandleForWriting.write(input)
                    try? stdin.fileHandleForWriting.close()
                }
                writer.start()
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, output))
            }
        }
    }

    private static func readLine(of handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes += chunk
                }
                let text = String(decoding: bytes, as: UTF8.self)
                continuation.resume(returning: String(text.split(separator: "\n").first ?? ""))
            }
        }
    }
}

struct PeerStartError: Error, CustomStringConvertible {
    var script: String
    /// The end of the peer's stderr.
    var errors: String
    var description: String { "\(script) printed nothing; stderr: \(errors)" }
}
