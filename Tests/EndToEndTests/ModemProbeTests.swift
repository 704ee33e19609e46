import Foundation
import Simulators
import Testing

/// `lifeline modem probe` run as a subprocess against the modem simulator on a pseudo terminal,
/// one simulated fault per case.
@Suite(.timeLimit(.minutes(2)))
struct ModemProbeTests {
    /// The PIN of the locked simulator: digits that appear in no other field the probe prints.
    static let pin = "4071"

    /// One probe case: the simulated modem, the PIN file's content, and what the admin should see.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var profile: ModemSimulatorProfile
        var pinFileContent: String?
        var hangs = false
        var status: Int32
        var words: [String]

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "healthy", profile: .healthy, status: 0, words: ["healthy", "E3372", "-73 dBm", "+15550100999"]),
        Case(name: "noisy Huawei", profile: .noisyHuawei, status: 0, words: ["healthy", "huawei", "Lifeline Mobile"]),
        Case(name: "PIN locked, no PIN file", profile: .pinLocked(pin), status: 69, words: ["SIM asks for a PIN: set pin_file"]),
        Case(name: "PIN locked, right PIN", profile: .pinLocked(pin), pinFileContent: pin + "\n", status: 0, words: ["healthy"]),
        Case(
            name: "PIN locked, wrong PIN",
            profile: .pinLocked(pin),
            pinFileContent: "8642",
            status: 69,
            words: ["rejected the PIN", "correct the file"]
        ),
        Case(name: "unregistered", profile: .unregistered, status: 69, words: ["not registered: check the antenna"]),
        Case(name: "stops answering", profile: .healthy, hangs: true, status: 69, words: ["no answer from the modem"]),
    ]

    /// Each simulated modem gets its exit code and its diagnosis in words; the PIN is never printed.
    @Test(arguments: cases)
    func probe(_ probeCase: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let modem = ModemSimulator(profile: probeCase.profile)
        defer { modem.stop() }
        let device = try modem.start()
        if probeCase.hangs { modem.hang(outlastsReopen: true) }
        var arguments = ["modem", "probe", device]
        if let content = probeCase.pinFileContent {
            let path = directory.path + "/sim.pin"
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--pin-file", path]
        }

        let result = try await LifelineBinary.run(arguments)

        #expect(result.status == probeCase.status, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        for word in probeCase.words {
            #expect(result.stdout.contains(word), "'\(word)' missing from:\n\(result.stdout)")
        }
        for secret in [Self.pin, "8642"] {
            #expect(!result.stdout.contains(secret), "the PIN was printed on stdout")
            #expect(!result.stderr.contains(secret), "the PIN was printed on stderr")
        }
    }

    /// `--json` gives every field the admin needs, with the signal in dBm.
    @Test func jsonReport() async throws {
        let modem = ModemSimulator(profile: .healthy)
        defer { modem.stop() }
        let device = try modem.start()

        let result = try await LifelineBinary.run(["modem", "probe", device, "--json"])

        try #require(result.status == 0, "stderr: \(result.stderr)")
        struct Report: Decodable {
            var model: String?
            var manufacturer: String?
            var imei: String?
            var simState: String
            var registration: String?
            var operatorName: String?
            var signalDBm: Int?
            var smscAddress: String?
            var diagnosis: [String]
            var healthy: Bool
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.model == "E3372")
        #expect(report.manufacturer == "huawei")
        #expect(report.imei == "867530012345674")
        #expect(report.simState == "ready")
        #expect(report.registration == "registered, home network")
        #expect(report.operatorName == "Lifeline Mobile")
        #expect(report.signalDBm == -73)
        #expect(report.smscAddress == "+15550100999")
        #expect(report.diagnosis.isEmpty)
        #expect(report.healthy)
    }

    /// Mistakes on the command line end before any port is opened, with their exit code.
    @Test(arguments: [
        (["modem", "probe", "/dev/lifeline-no-such-modem"], Int32(66), "does not exist"),
        (["modem", "probe", "/dev/null", "--baud", "fast"], Int32(65), "not a supported line speed"),
        (["modem", "probe", "/dev/null", "--pin-file", "/nonexistent/sim.pin"], Int32(66), "PIN file"),
        (["modem", "probe"], Int32(64), "needs the modem's AT port"),
    ])
    func badArguments(_ arguments: [String], status: Int32, words: String) async throws {
        let result = try await LifelineBinary.run(arguments)
        #expect(result.status == status, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(words), "stderr: \(result.stderr)")
    }

    /// A PIN file that contains something other than 4 to 8 digits is rejected without printing it.
    @Test func malformedPINFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/sim.pin"
        try "pin=12x4\n".write(toFile: path, atomically: true, encoding: .utf8)

        let result = try await LifelineBinary.run(["modem", "probe", "/dev/null", "--pin-file", path])

        #expect(result.status == 65, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("invalid PIN file"))
        #expect(result.stderr.contains("4 to 8 digits"))
        #expect(!result.stderr.contains("12x4"))
    }
}

/// A directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-e2e-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
