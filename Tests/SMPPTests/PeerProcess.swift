import Foundation

/// A helper process started by a test: a Python peer that prints its port first, or a tool run
/// to completion. Every wait is bounded and runs on a dedicated thread.
final class PeerProcess: Sendable {
    let process: Process
    let stdin: Pipe
    /// The port the peer printed on its first line.
    let port: UInt16

    private init(process: Process, stdin: Pipe, port: UInt16) {
        self.process = process
        self.stdin = stdin
        self.port = port
    }

    enum Failure: Error, CustomStringConvertible {
        case noPort(output: String)
        case toolFailed(command: String, status: Int32, output: String)
        case toolTimedOut(command: String)

        var description: String {
            switch self {
            case .noPort(let output): "the peer printed no port: \(output)"
            case .toolFailed(let command, let status, let output): "\(command) exited \(status): \(output)"
            case .toolTimedOut(let command): "\(command) did not finish in time"
            }
        }
    }

    /// Starts `Tests/Peers/<script>` with the project's Python and reads its port.
    static func startPython(_ script: String, arguments: [String]) async throws -> PeerProcess {
        let root = packageRoot()
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/Peers/\(script)").path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line: String = await withCheckedContinuation { continuation in
            Thread {
                var collected = Data()
                while !collected.contains(UInt8(ascii: "\n")) {
                    let chunk = stdout.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    collected.append(chunk)
                }
                continuation.resume(returning: String(decoding: collected, as: UTF8.self))
            }.start()
        }
        guard let port = UInt16(line.split(separator: "\n").first ?? "") else {
            process.terminate()
            throw Failure.noPort(output: line)
        }
        return PeerProcess(process: process, stdin: stdin, port: port)
    }

    /// Closes stdin so the peer exits, and waits for it.
    func stop() async {
        try? stdin.fileHandleForWriting.close()
        await withCheckedContinuation { continuation in
            Thread { [process] in
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
    }

    /// Runs `executable` to completion, killing it after `timeout`.
    ///
    /// - Throws: `Failure` when it exits non-zero or runs too long.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A watchdog ends a hung tool; waitUntilExit returns either way.
        let watchdog = Task {
            guard (try? await Task.sleep(for: .seconds(timeout))) != nil else { return }
            process.terminate()
        }
        await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
        watchdog.cancel()
        let finished = process.terminationReason == .exit
        let command = ([executable] + arguments).joined(separator: " ")
        guard finished else { throw Failure.toolTimedOut(command: command) }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure.toolFailed(command: command, status: process.terminationStatus, output: text)
        }
    }
}

/// A self-signed certificate and its key, made with `openssl req` in a temporary directory.
struct TestCertificate {
    let certificatePath: String
    let keyPath: String

    /// Makes a P-256 key and a one-day self-signed certificate with `subjectAltName` set to
    /// `alternativeName` (for example `IP:127.0.0.1`), named `name` inside `directory`.
    static func make(name: String, alternativeName: String, in directory: String) async throws -> TestCertificate {
        let certificate = "\(directory)/\(name).pem"
        let key = "\(directory)/\(name).key"
        try await PeerProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=lifeline-test-\(name)",
                "-addext", "subjectAltName=\(alternativeName)",
            ]
        )
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }
}

/// Makes a fresh temporary directory and returns its path; the caller removes it.
func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-smpp-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
