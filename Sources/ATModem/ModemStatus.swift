/// The SIM's state from `AT+CPIN?` (TS 27.007 8.3).
public enum SIMState: Sendable, Hashable {
    case ready
    case pinRequired
    case pukRequired
    case notInserted
    case busy
    /// Another `+CPIN` code, such as `PH-SIM PIN` or `SIM PIN2`.
    case other(String)
    /// Not known because the modem did not respond.
    case unknown

    /// Reads the code after `+CPIN:`.
    public init(code: String) {
        switch code.uppercased() {
        case "READY": self = .ready
        case "SIM PIN": self = .pinRequired
        case "SIM PUK": self = .pukRequired
        default: self = .other(code)
        }
    }
}

/// Network registration from `+CREG`/`+CEREG` `<stat>` (TS 27.007 7.2).
public enum RegistrationState: Int, Sendable, Hashable {
    case notRegistered = 0
    case home = 1
    case searching = 2
    case denied = 3
    case unknown = 4
    case roaming = 5

    /// Whether the modem can send on this registration.
    public var isRegistered: Bool { self == .home || self == .roaming }

    /// Reads `<n>,<stat>[,...]` (the response to a read command).
    public init?(readAnswer fields: String) {
        let parts = ATFields.split(fields)
        guard parts.count >= 2, let stat = Int(parts[1]), let state = RegistrationState(rawValue: stat) else {
            return nil
        }
        self = state
    }
}

/// The findings of `ModemSession.probe()`, with a diagnosis in plain words.
public struct ModemStatus: Sendable, Hashable {
    /// The device path.
    public var device: String
    /// Whether the modem responded to `AT`.
    public var responsive = false
    public var manufacturer: String?
    public var model: String?
    /// From `AT+CGSN`.
    public var imei: String?
    /// From `AT+CIMI`; identifies the subscription.
    public var imsi: String?
    /// From `AT+CCID` (or `AT+ICCID`); printed on the SIM card.
    public var iccid: String?
    public var simState = SIMState.unknown
    /// The better of `AT+CREG?` and `AT+CEREG?`.
    public var registration: RegistrationState?
    /// From `AT+COPS?`.
    public var operatorName: String?
    /// From `AT+CSQ`, in dBm; `nil` when the modem does not know (99).
    public var signalDBm: Int?
    /// From `AT+CSCA?`.
    public var smscAddress: String?
    /// Problems found and the fix for each, one sentence each. Empty when the modem can send.
    public var diagnosis: [String] = []

    public init(device: String) {
        self.device = device
    }

    /// Whether the modem responded and nothing is wrong with it: the SIM is ready and it is registered.
    ///
    /// A status whose modem never responded (a closed session, a port that cannot be opened) is
    /// never healthy, even before `diagnosis` is filled.
    public var isHealthy: Bool { responsive && diagnosis.isEmpty }

    /// Fills `diagnosis` from the other fields.
    mutating func diagnose() {
        var findings: [String] = []
        guard responsive else {
            diagnosis = ["no answer from the modem on \(device): check the USB cable and power, then run recovery"]
            return
        }
        switch simState {
        case .ready: break
        case .pinRequired: findings.append("SIM asks for a PIN: set pin_file")
        case .pukRequired: findings.append("SIM asks for the PUK after wrong PINs: unlock it in a phone")
        case .notInserted: findings.append("no SIM card: insert one")
        case .busy: findings.append("SIM busy: it is still starting; probe again in a few seconds")
        case .other(let code): findings.append("SIM not ready (\(code)): unlock it in a phone")
        case .unknown: findings.append("SIM state unknown: check the SIM is seated")
        }
        if simState == .ready {
            switch registration {
            case .home?, .roaming?: break
            case .denied?: findings.append("registration denied: the network rejects this SIM; ask the provider")
            case .searching?: findings.append("searching for a network: check the antenna and the signal")
            default: findings.append("not registered: check the antenna and the SIM's subscription")
            }
            if smscAddress?.isEmpty ?? true {
                findings.append("no SMSC address: set it with AT+CSCA or ask the provider for it")
            }
        }
        if let signal = signalDBm, signal <= -107 {
            findings.append("weak signal (\(signal) dBm): move the modem or fit an external antenna")
        }
        diagnosis = findings
    }

    /// Converts the `<rssi>` of `+CSQ` to dBm (TS 27.007 8.5); `nil` for 99 (not known).
    public static func signalDBm(rssi: Int) -> Int? {
        switch rssi {
        case 0...31: -113 + 2 * rssi
        default: nil
        }
    }
}
