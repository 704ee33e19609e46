import Foundation
import Testing

/// `lifeline broadcast --wait` with its output in a pipe, as under `| tee` or a log redirect.
@Suite(.serialized)
struct BroadcastWaitOutputTests {
    /// With no daemon running the wait never ends, yet the broadcast id and the first progress
    /// line reach the pipe while the command still runs, not only at its exit.
    @Test func waitWritesIdAndProgressAtOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "number\n+447700900001\n+447700900002\n"
            .write(toFile: directory.path + "/recipients.csv", atomically: true, encoding: .utf8)
        let configPath = directory.path + "/lifeline.yaml"
        try """
            database: \(directory.path)/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: 9
                system_id: lifeline
                password: secret

            """.write(toFile: configPath, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = LifelineBinary.url
        process.arguments = [
            "broadcast", "--config", configPath, "--to-file", directory.path + "/recipients.csv",
            "--text", "Drill at 10:00", "--wait",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let lines = await Self.firstLines(2, from: output.fileHandleForReading, within: .seconds(30))
        #expect(process.isRunning, "the wait should still be going: no daemon sends the messages")
        try #require(lines.count == 2, "lines read before the deadline: \(lines)")
        #expect(lines[0].hasPrefix("Queued broadcast "))
        #expect(lines[0].contains("2 recipients"))
        #expect(lines[1].contains("0/2 final"))
        #expect(lines[1].contains("queued 2"))
    }

    /// Reads lines from `handle` on a thread of its own until `count` arrived, the pipe closed or
    /// `limit` passed, and returns those read.
    private static func firstLines(_ count: Int, from handle: FileHandle, within limit: Duration) async -> [String] {
        let collected = LineCollector()
        Thread {
            while collected.lines.count < count {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
        }.start()
        let deadline = ContinuousClock.now + limit
        while collected.lines.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return Array(collected.lines.prefix(count))
    }
}

/// Complete lines read so far from a pipe, shared between the reading thread and the test.
private final class LineCollector: @unchecked Sendable {
    // @unchecked: every access to `buffer` and `completed` happens under `lock`.
    private let lock = NSLock()
    private var buffer = Data()
    private var completed: [String] = []

    var lines: [String] { lock.withLock { completed } }

    func append(_ chunk: Data) {
        lock.withLock {
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                completed.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
    }
}
