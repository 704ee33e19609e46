import Foundation
import Testing

/// Bad input on the command line gets one clear message and a non-zero exit, and leaves what was
/// queued before untouched.
@Suite(.timeLimit(.minutes(2)))
struct CommandLineErrorTests {
    /// A minimal valid config whose only provider is a modem that is never opened by these commands.
    static func writeConfig(in directory: String) throws -> String {
        let path = directory + "/lifeline.yaml"
        let config = """
            database: \(directory)/lifeline.db
            default_region: GB
            providers:
              - id: modem-1
                type: modem
                device: /dev/null

            """
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-cli-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: @Sendable (_ config: String, _ directory: String) -> [String]
        var status: Int32
        var message: String

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing config file", arguments: { _, directory in ["send", "--config", directory + "/absent.yaml", "--to", "+447700900123", "--text", "hi"] }, status: 66, message: "config file not found"),
        Case(name: "invalid phone number", arguments: { config, _ in ["send", "--config", config, "--to", "call me", "--text", "hi"] }, status: 65, message: "invalid phone number 'call me'"),
        Case(name: "empty text", arguments: { config, _ in ["send", "--config", config, "--to", "+447700900123", "--text", "  "] }, status: 65, message: "the message text is empty"),
        Case(name: "unknown priority", arguments: { config, _ in ["send", "--config", config, "--to", "+447700900123", "--text", "hi", "--priority", "urgent"] }, status: 64, message: "--priority must be one of emergency, high, normal, bulk"),
        Case(name: "missing --to", arguments: { config, _ in ["send", "--config", config, "--text", "hi"] }, status: 64, message: "send needs --to NUMBER"),
        Case(name: "unknown command", arguments: { _, _ in ["sned"] }, status: 64, message: "unknown command 'sned'"),
        Case(name: "unknown option", arguments: { config, _ in ["messages", "--config", config, "--colour"] }, status: 64, message: "unknown option --colour"),
        Case(name: "malformed PDU", arguments: { _, _ in ["sms", "decode", "0001000B91"] }, status: 65, message: "cannot decode the PDU"),
    ]

    /// Each bad command exits with its documented code and a message naming the problem, and the
    /// message queued before it is still there, unchanged.
    @Test(arguments: cases) func badInput(_ testCase: Case) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try Self.writeConfig(in: directory)
        let queued = try await LifelineBinary.run(["send", "--config", config, "--to", "07700 900123", "--text", "queued before"])
        try #require(queued.status == 0, "the first send failed: \(queued.stderr)")

        let result = try await LifelineBinary.run(testCase.arguments(config, directory))
        #expect(result.status == testCase.status, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(testCase.message), "stderr: \(result.stderr)")

        let listing = try await LifelineBinary.run(["messages", "--config", config, "--json"])
        struct Row: Decodable { var recipient: String; var state: String; var text: String }
        let rows = try JSONDecoder().decode([Row].self, from: Data(listing.stdout.utf8))
        #expect(rows.count == 1)
        #expect(rows.first?.recipient == "+447700900123")
        #expect(rows.first?.state == "queued")
    }

    /// A config file with a YAML syntax error and one with an unknown provider type are rejected
    /// with file:line:column, exit code 78.
    @Test func invalidConfigFiles() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let broken = directory + "/broken.yaml"
        try "database: /tmp/x.db\nproviders: [\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let syntax = try await LifelineBinary.run(["config", "check", broken])
        #expect(syntax.status == 78)
        #expect(syntax.stderr.contains("broken.yaml:"))

        let unknownType = directory + "/unknown.yaml"
        try "database: /tmp/x.db\nproviders:\n  - id: fax\n    type: fax\n".write(toFile: unknownType, atomically: true, encoding: .utf8)
        let type = try await LifelineBinary.run(["config", "check", unknownType])
        #expect(type.status == 78)
        #expect(type.stderr.contains("unknown.yaml:4:11"), "stderr: \(type.stderr)")
        #expect(type.stderr.contains("twilio"), "the error lists the valid types: \(type.stderr)")
    }

    /// `sms inspect` reports the encoding and segments a text will use.
    @Test func smsInspect() async throws {
        let result = try await LifelineBinary.run(["sms", "inspect", "--text", "it`s 5€", "--json"])
        #expect(result.status == 0)
        struct Inspection: Decodable { var encoding: String; var segmentCount: Int }
        let inspection = try JSONDecoder().decode(Inspection.self, from: Data(result.stdout.utf8))
        #expect(inspection.encoding == "ucs2")
        #expect(inspection.segmentCount == 1)
    }
}
