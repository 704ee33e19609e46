import Foundation
import Simulators
import Testing

/// The modem simulator against SMS software written by others: gammu (`gammu sendsms`), which
/// drives a modem over AT commands as a real deployment would, and must accept the simulator's
/// responses to send a message. Skipped when gammu is not installed.
@Suite(.timeLimit(.minutes(2)))
struct SmstoolsInteropTests {
    /// Where Debian's `gammu` package installs the command line tool, if it is installed.
    static let gammuPath = ["/usr/bin/gammu", "/usr/local/bin/gammu"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static let recipient = "+447700900555"
    static let text = "Gate 3 closed, use gate 4"

    /// `gammu sendsms` sends one SMS through the simulator: the simulator receives one well-formed
    /// SMS-SUBMIT to the right number with the text, and gammu exits 0.
    @Test(.enabled(if: gammuPath != nil, "gammu is not installed: apt-get install --no-install-recommends gammu"))
    func gammuSendsOneSMS() async throws {
        let gammu = try #require(Self.gammuPath)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let modem = ModemSimulator(profile: .healthy)
        defer { modem.stop() }
        let device = try modem.start()
        let gammurc = """
            [gammu]
            device = \(device)
            connection = at
            logfile = \(directory.path)/gammu.log
            logformat = textall

            """
        try gammurc.write(toFile: directory.path + "/gammurc", atomically: true, encoding: .utf8)

        let result = try await ExternalTool.run(
            gammu,
            ["-c", directory.path + "/gammurc", "sendsms", "TEXT", Self.recipient, "-text", Self.text],
            timeout: .seconds(60)
        )
        let log = (try? String(contentsOfFile: directory.path + "/gammu.log", encoding: .utf8)) ?? "(no log)"
        let context = "gammu exit \(result.status)\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr)\nlog:\n\(log)"

        // gammu reads and chooses the TE character set before anything else and gives up when
        // AT+CSCS=? fails. Until the simulator supports it, the rest cannot be checked.
        if log.contains("\"AT+CSCS=?\""), !modem.receivedCommands.contains(where: { $0.uppercased().hasPrefix("AT+CMGS=") }) {
            withKnownIssue("the modem simulator answers AT+CSCS? and AT+CSCS=? (TS 27.007 5.5) with an error") {
                Issue.record("gammu stopped at AT+CSCS=? before sending\n\(context)")
            }
            return
        }
        #expect(result.status == 0, "\(context)")
        let pdus = modem.receivedPDUs
        try #require(pdus.count == 1, "expected one PDU, got \(pdus.count)\n\(context)")
        let submit = try #require(SubmitPDUFields(pdus[0]), "malformed SMS-SUBMIT \(pdus[0])\n\(context)")
        #expect(submit.recipientType == 0x91, "international number type")
        #expect(submit.recipientDigits == String(Self.recipient.dropFirst()))
        #expect(submit.dataCodingScheme & 0xCC == 0x00, "GSM 7-bit alphabet")
        #expect(submit.sevenBitText == Self.text)
        let command = modem.receivedCommands.first { $0.uppercased().hasPrefix("AT+CMGS=") }
        #expect(command == "AT+CMGS=\(pdus[0].count - submit.smscField.count)", "AT+CMGS announces the TPDU length")
    }
}

/// A program other than `lifeline`, run to completion with a bounded wait.
enum ExternalTool {
    static func run(_ path: String, _ arguments: [String], timeout: Duration) async throws -> LifelineBinary.Result {
        try await LifelineBinary.run(executable: URL(fileURLWithPath: path), arguments, timeout: timeout)
    }
}
