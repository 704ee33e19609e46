import Foundation
import Testing

@testable import Config

/// A temporary directory for config and secret files, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-config-tests-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` in this directory with `permissions`; returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String, permissions: Int = 0o600) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file)
        return file
    }
}

enum ConfigFixtures {
    /// The package root, found from this file's path.
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static var exampleConfigPath: String { packageRoot + "/deploy/lifeline.example.yaml" }

    /// Distinct secret values, so a test can search any output for them.
    static let secrets: [String: String] = [
        "ops.token": "ops-token-0123456789abcdef",
        "timetabling.token": "timetabling-token-fedcba9876543210",
        "twilio.token": "twilio-auth-token-aaaabbbbcccc",
        "smpp.password": "Pa55w0rd",
        "sim.pin": "4321",
    ]

    /// Writes every credential the example file names into `directory`, each with a trailing newline.
    static func writeCredentials(into directory: TemporaryDirectory) throws {
        for (name, value) in secrets {
            try directory.write(name, value + "\n", permissions: 0o400)
        }
    }

    /// Parses `yaml` and returns its issues, or an empty list when it loads.
    static func issues(_ yaml: String, environment: [String: String] = [:]) -> [ConfigIssue] {
        do {
            _ = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: environment)
            return []
        } catch {
            return error.issues
        }
    }
}
