import ATModem
import Diagnostics
import Foundation

/// `lifeline modem probe DEVICE [--baud N] [--pin-file FILE] [--json]`: the check an admin runs
/// while installing the box, before the modem goes into the config.
///
/// Opens the port, initialises the modem (entering the PIN from `--pin-file` when the SIM requires
/// it), then reads identity, SIM state, registration, operator, signal and SMSC address, and prints
/// each problem found with its fix. Exits 0 when the modem can send, 69 when it answers but cannot send (or
/// does not answer), 66 when the device or the PIN file does not exist, 65 for a malformed baud
/// rate or PIN file. The PIN is never printed, not even inside an error from the modem.
///
/// A silent modem costs about four command timeouts (3 s each) before the probe gives up: three
/// `AT` tries during initialisation and one during the probe.
struct ModemCommand: Subcommand {
    /// The timeout of each command. The probe sends no message, so no command waits for the network.
    static let commandTimeout = Duration.seconds(3)

    let device: String
    let baudText: String?
    let pinFile: String?
    let json: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        guard arguments.nextWord() == "probe" else {
            throw UsageError("expected 'lifeline modem probe DEVICE [--baud N] [--pin-file FILE] [--json]'")
        }
        guard let device = arguments.nextWord() else {
            throw UsageError("modem probe needs the modem's AT port, for example: lifeline modem probe /dev/ttyUSB2")
        }
        self.device = device
        baudText = try arguments.option("baud")
        pinFile = try arguments.option("pin-file")
        json = arguments.flag("json")
    }

    func run() async throws -> ExitCode {
        let baudRate = try parsedBaudRate()
        guard FileManager.default.fileExists(atPath: device) else {
            return fail(.noInput, "device \(device) does not exist: check the cable, then list ports with ls /dev/serial/by-id")
        }
        let pin: String?
        if let pinFile {
            guard FileManager.default.fileExists(atPath: pinFile) else {
                return fail(.noInput, "PIN file \(pinFile) does not exist")
            }
            pin = try readPIN(from: pinFile)
        } else {
            pin = nil
        }

        let session = ModemSession(
            devicePath: device,
            baudRate: baudRate,
            pin: pin,
            logger: .disabled,
            timeouts: ModemTimeouts(command: Self.commandTimeout, simBusyRetries: 5)
        )
        var initialisationError: ModemError?
        do {
            try await session.initialise()
        } catch {
            initialisationError = error
        }
        let status = await session.probe()
        await session.close()

        let report = ModemProbeReport(status: status, diagnosis: diagnosis(of: status, initialisationError))
        printBlock(json ? try MessageListing.json(report) : report.renderText())
        return report.healthy ? .success : .unavailable
    }

    /// Parses `--baud` (default 115200). USB modems ignore the line speed.
    private func parsedBaudRate() throws(InputError) -> Int {
        guard let baudText else { return 115_200 }
        let supported = SerialPort.supportedBaudRates.keys.sorted()
        guard let rate = Int(baudText), supported.contains(rate) else {
            throw InputError(
                "--baud \(baudText) is not a supported line speed; use one of "
                    + supported.map(String.init).joined(separator: ", ")
            )
        }
        return rate
    }

    /// Reads the PIN: the file's content without surrounding white space, 4 to 8 digits.
    private func readPIN(from path: String) throws(InputError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("PIN file \(path) cannot be read: check that its permissions allow reading")
        }
        let pin = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (4...8).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw InputError("invalid PIN file \(path): it must contain only the SIM PIN, 4 to 8 digits")
        }
        return pin
    }

    /// Combines the probe's findings with the initialisation error. The result never contains the PIN.
    private func diagnosis(of status: ModemStatus, _ initialisationError: ModemError?) -> [String] {
        var findings = status.diagnosis
        guard let initialisationError, status.responsive else { return findings }
        switch initialisationError {
        case .commandFailed(let command, let result) where command.uppercased().hasPrefix("AT+CPIN="):
            // "SIM asks for a PIN: set pin_file" would mislead when the file is set, so report a wrong PIN.
            findings.removeAll { $0.hasPrefix("SIM asks for a PIN") }
            findings.insert(
                "the SIM rejected the PIN in \(pinFile ?? "the PIN file") (\(result.meaning)): correct the file; "
                    + "the SIM asks for its PUK after three wrong PINs",
                at: 0
            )
        case .simLocked(let state) where state == "SIM PIN rejected":
            findings.removeAll { $0.hasPrefix("SIM asks for a PIN") }
            findings.insert("the SIM did not accept the PIN in \(pinFile ?? "the PIN file"): correct the file", at: 0)
        case .pinRequired, .simLocked, .noAnswer, .port:
            // The probe's own findings already name these.
            if findings.isEmpty { findings.append("initialisation failed: \(initialisationError)") }
        default:
            findings.append("initialisation failed: \(initialisationError)")
        }
        return findings
    }

    private func fail(_ code: ExitCode, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("lifeline: \(message)\n".utf8))
        return code
    }
}

/// The output of `lifeline modem probe`, as text or JSON.
struct ModemProbeReport: Encodable {
    /// The device path as given.
    var device: String
    /// Whether the modem answered `AT`.
    var responsive: Bool
    /// From `AT+CGMI`.
    var manufacturer: String?
    /// From `AT+CGMM`.
    var model: String?
    /// From `AT+CGSN`.
    var imei: String?
    /// From `AT+CIMI`.
    var imsi: String?
    /// From `AT+CCID`.
    var iccid: String?
    /// The `AT+CPIN?` state in words: ready, PIN required, PUK required, not inserted, busy, unknown.
    var simState: String
    /// The registration in words, from the better of `AT+CREG?` and `AT+CEREG?`.
    var registration: String?
    /// From `AT+COPS?`.
    var operatorName: String?
    /// The signal from `AT+CSQ` in dBm; absent when the modem does not know it.
    var signalDBm: Int?
    /// From `AT+CSCA?`.
    var smscAddress: String?
    /// Problems found and the fix for each; empty when the modem can send.
    var diagnosis: [String]
    /// Whether the modem answers and `diagnosis` is empty.
    var healthy: Bool

    /// Copies the probe's fields and puts SIM and registration states in words.
    init(status: ModemStatus, diagnosis: [String]) {
        device = status.device
        responsive = status.responsive
        manufacturer = status.manufacturer
        model = status.model
        imei = status.imei
        imsi = status.imsi
        iccid = status.iccid
        simState = Self.words(for: status.simState)
        registration = status.registration.map(Self.words(for:))
        operatorName = status.operatorName
        signalDBm = status.signalDBm
        smscAddress = status.smscAddress
        self.diagnosis = diagnosis
        healthy = status.responsive && diagnosis.isEmpty
    }

    /// Renders one field per line, then the verdict.
    func renderText() -> String {
        let fields: [(String, String?)] = [
            ("device", device), ("manufacturer", manufacturer), ("model", model), ("IMEI", imei), ("IMSI", imsi),
            ("ICCID", iccid), ("SIM", simState), ("registration", registration), ("operator", operatorName),
            ("signal", signalDBm.map { "\($0) dBm" }), ("SMSC", smscAddress),
        ]
        var text = fields.map { name, value in
            name.padding(toLength: 14, withPad: " ", startingAt: 0) + (value ?? "-")
        }.joined(separator: "\n")
        text += healthy ? "\nverdict       healthy: the modem can send\n" : "\nverdict       not usable:\n"
        for finding in diagnosis { text += "  - \(finding)\n" }
        return text
    }

    /// Returns the SIM state as the text output shows it.
    static func words(for state: SIMState) -> String {
        switch state {
        case .ready: "ready"
        case .pinRequired: "PIN required"
        case .pukRequired: "PUK required"
        case .notInserted: "not inserted"
        case .busy: "busy"
        case .other(let code): code
        case .unknown: "unknown"
        }
    }

    /// Returns the registration state as the text output shows it.
    static func words(for state: RegistrationState) -> String {
        switch state {
        case .notRegistered: "not registered"
        case .home: "registered, home network"
        case .searching: "searching"
        case .denied: "denied"
        case .unknown: "unknown"
        case .roaming: "registered, roaming"
        }
    }
}
