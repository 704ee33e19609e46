import Foundation
import Testing

/// Tests/Peers/cloud_fake.py, started for one test and stopped when the test ends.
///
/// The fake prints its port as its first line and exits when its stdin closes or after its
/// bounded lifetime, so a crashed test leaves nothing running for long.
final class CloudFake: @unchecked Sendable {
    // @unchecked: all fields are set in `start` before the instance is shared and never change.
    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let authToken = "f00dfeedf00dfeedf00dfeedf00dfeed"
    static let apiKeySID = "SK0123456789abcdef0123456789abcdef"
    static let apiKeySecret = "s3cr3t-api-key-value"
    static let vonageKey = "abcd1234"
    static let vonageSecret = "vonage-secret-42"
    static let awsAccessKey = "AKIDEXAMPLE"
    static let awsSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let proxyUser = "relay"
    static let proxyPassword = "proxy-pass-word"

    let port: Int
    private let process: Process
    private let stdin: Pipe

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, process: Process, stdin: Pipe) {
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    /// Starts the fake and waits for its port line.
    static func start() async throws -> CloudFake {
        let root = PackageRoot.url
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [
            root.appendingPathComponent("Tests/Peers/cloud_fake.py").path,
            "--lifetime", "120",
            "--account-sid", accountSID,
            "--auth-token", authToken,
            "--api-key", apiKeySID,
            "--api-secret", apiKeySecret,
            "--vonage-key", vonageKey,
            "--vonage-secret", vonageSecret,
            "--aws-access-key", awsAccessKey,
            "--aws-secret-key", awsSecretKey,
            "--proxy-user", proxyUser,
            "--proxy-password", proxyPassword,
        ]

        let stdin = Pipe()
        let stdout = Pipe()
        // stderr goes to a file, read only when the fake fails to start, so it never blocks on a full pipe.
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("cloud_fake-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorLog) }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()

        let line = await firstLine(of: stdout.fileHandleForReading)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw FakeStartError(firstLine: line, errors: String(errors.suffix(2000)))
        }
        return CloudFake(port: port, process: process, stdin: stdin)
    }

    /// Reads up to the first newline on a thread of its own, because the read blocks. An exited
    /// process ends the read with what it printed.
    private static func firstLine(of handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes += chunk
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }
}

struct FakeStartError: Error, CustomStringConvertible {
    var firstLine: String
    /// The end of the fake's stderr.
    var errors: String
    var description: String {
        "cloud_fake.py did not print a port; first line: \(firstLine.debugDescription), stderr: \(errors)"
    }
}

/// One request as the fake recorded it.
struct FakeRecord: Decodable {
    var method: String
    var path: String
    var conforms: Bool
    var problems: [String]
    var auth: String
    var proxied: Bool
    var proxyAuth: String
    var contentType: String?
    /// The client's TCP source port: equal ports mean one reused connection.
    var clientPort: Int
    var fields: [String: String]

    enum CodingKeys: String, CodingKey {
        case method, path, conforms, problems, auth, proxied, fields
        case proxyAuth = "proxy_auth"
        case contentType = "content_type"
        case clientPort = "client_port"
    }
}

/// The package root, found from this file's path.
enum PackageRoot {
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
}
