import Foundation
import Testing

/// `lifeline config check` on the modem keys: naming the modem by device, IMEI or ICCID, the
/// scan pattern, the reset command and the USB reset switch.
@Suite(.timeLimit(.minutes(2)))
struct ModemConfigTests {
    /// One modem entry (the lines under `type: modem`) and the expected `config check` output.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var lines: [String]
        var status: Int32
        var words: [String]

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "device with defaults",
            lines: ["device: /dev/ttyUSB2"],
            status: 0,
            words: ["device: /dev/ttyUSB2", "reset_command: ", "AT+CFUN=1,1", "usb_reset: true"]
        ),
        Case(
            name: "IMEI with scan, reset command and no USB reset",
            lines: ["imei: \"867530012345674\"", "scan: /dev/ttyUSB*", "reset_command: AT^RESET", "usb_reset: false"],
            status: 0,
            words: ["867530012345674", "scan: ", "/dev/ttyUSB*", "AT^RESET", "usb_reset: false"]
        ),
        Case(name: "ICCID as a number", lines: ["iccid: 89441501234567890123"], status: 0, words: ["89441501234567890123"]),
        Case(
            name: "device and IMEI",
            lines: ["device: /dev/ttyUSB2", "imei: \"867530012345674\""],
            status: 78,
            words: ["only one of device, imei and iccid"]
        ),
        Case(name: "nothing names the modem", lines: ["baud: 115200"], status: 78, words: ["missing required key", "imei or iccid"]),
        Case(name: "IMEI too short", lines: ["imei: \"12345\""], status: 78, words: ["14 to 16 digits"]),
        Case(name: "reset command not AT", lines: ["device: /dev/ttyUSB2", "reset_command: reboot"], status: 78, words: ["one AT command"]),
        Case(
            name: "scan with a device",
            lines: ["device: /dev/ttyUSB2", "scan: /dev/ttyUSB*"],
            status: 78,
            words: ["scan applies to a modem found by imei or iccid"]
        ),
    ]

    /// Each modem entry is accepted with its effective values shown, or rejected with the fix.
    @Test(arguments: cases)
    func configCheck(_ configCase: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/lifeline.yaml"
        let entry = configCase.lines.map { "    " + $0 }.joined(separator: "\n")
        let yaml = """
            database: \(directory.path)/lifeline.db
            providers:
              - id: modem-1
                type: modem
            \(entry)

            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)

        let result = try await LifelineBinary.run(["config", "check", path])

        #expect(result.status == configCase.status, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        let output = result.stdout + result.stderr
        for word in configCase.words {
            #expect(output.contains(word), "'\(word)' missing from:\n\(output)")
        }
    }
}
