import Foundation

/// The package root, found from this file's path.
func packageRoot(filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A Python peer from Tests/Peers that prints its port on the first line of stdout and exits
/// when its stdin closes.
final class PeerProcess: Sendable {
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    let process: Process
    let stdin: Pipe
    let port: UInt16

    private init(process: Process, stdin: Pipe, port: UInt16) {
        self.process = process
        self.stdin = stdin
        self.port = port
    }

    /// Starts `Tests/Peers/<script>` with the virtual environment's Python.
    static func start(script: String, arguments: [String]) async throws -> PeerProcess {
        let root = packageRoot()
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/Peers/\(script)").path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        // Standard error goes to a file, so the failure of a peer that dies at start-up shows its error output.
        let errorPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-peer-\(UUID().uuidString.prefix(8)).stderr").path
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
        let line = await readFirstLine(of: stdout)
        guard let port = UInt16(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            await waitForExit(process)
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: errorPath)
            throw StartFailure(description: "\(script) printed no port: '\(line)'; its standard error:\n\(errors.suffix(4_000))")
        }
        try? FileManager.default.removeItem(atPath: errorPath)
        return PeerProcess(process: process, stdin: stdin, port: port)
    }

    /// Closes stdin so the peer exits, and waits for it.
    func stop() async {
        try? stdin.fileHandleForWriting.close()
        await waitForExit(process)
    }
}

/// Reads up to the first newline on a dedicated thread, so the cooperative pool never blocks.
func readFirstLine(of pipe: Pipe) async -> String {
    await withCheckedContinuation { continuation in
        Thread {
            var collected = Data()
            while !collected.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
            let text = String(decoding: collected, as: UTF8.self)
            continuation.resume(returning: String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))
        }.start()
    }
}

/// Waits for a process to exit on a dedicated thread.
func waitForExit(_ process: Process) async {
    await withCheckedContinuation { continuation in
        Thread {
            process.waitUntilExit()
            continuation.resume()
        }.start()
    }
}
