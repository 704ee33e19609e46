/// The behaviour of a `ModemSimulator`: identity, SIM, network and the faults it shows.
///
/// The defaults describe a healthy USB stick with a ready SIM, registered at home, that responds
/// at once and sends a delivered status report 100 ms after each send that requested one.
public struct ModemSimulatorProfile: Sendable {
    /// `AT+CGMI`.
    public var manufacturer = "huawei"
    /// `AT+CGMM`.
    public var model = "E3372"
    /// `AT+CGSN`.
    public var imei = "867530012345674"
    /// `AT+CIMI`.
    public var imsi = "234150123456789"
    /// `AT+CCID`.
    public var iccid = "89441501234567890123"
    /// `AT+CSCA?`, and the SMSC field of generated status reports.
    public var smscAddress = "+15550100999"
    /// `AT+COPS?` while registered.
    public var operatorName = "Lifeline Mobile"
    /// `<rssi>` of `AT+CSQ` (0-31, 99 unknown); 20 is -73 dBm.
    public var signalRSSI = 20
    /// The SIM PIN. When set, the SIM requires it (`+CPIN: SIM PIN`) until `AT+CPIN="<pin>"`.
    public var pin: String?
    /// `<stat>` of `+CREG`/`+CEREG`: 1 home, 0 not registered, 2 searching, 3 denied, 5 roaming.
    public var registration = 1
    /// `<service>` of `AT+CSMS?`; with 1 the host must acknowledge `+CDS` with `AT+CNMA`.
    public var messageService = 0
    /// Keeps echoing commands after `ATE0`, as some firmware does.
    public var echoIgnoresATE0 = false
    /// Writes `^RSSI: <n>` between each command and its response, like Huawei sticks.
    public var signalSpam = false
    /// Delay before the `> ` prompt after `AT+CMGS`.
    public var promptDelay: Duration = .zero
    /// Delay between a send with TP-SRR set and its `+CDS` status report.
    public var statusReportDelay: Duration = .milliseconds(100)
    /// TP-ST of generated status reports: 0x00 delivered, or a failure such as 0x46 (expired).
    public var statusReportStatus: UInt8 = 0x00
    /// The message reference `+CMGS` returns first; later sends count up modulo 256.
    public var firstMessageReference = 1
    /// How long the modem stays silent after `AT+CFUN=1,1` before it responds again.
    public var resetSilence: Duration = .seconds(2)
    /// Refuses status reports as `+CDS` (`AT+CNMI` with ds=1) and stores them instead,
    /// announcing each with `+CDSI: "SR",<index>` for the host to read with `AT+CMGR`.
    public var storesStatusReports = false
    /// Number of commands after a correct PIN that get `+CME ERROR: 14` (SIM busy).
    public var simBusyAfterPIN = 0
    /// Starts hung: responds to nothing, also after the client reopens the port.
    public var startsHung = false
    /// Ignores `AT+CFUN=1,1` while hung, like firmware that has crashed past the AT parser.
    public var ignoresResetCommand = false
    /// Delivers inbound messages as `+CMT` with the PDU (`AT+CNMI` mt=2) instead of storing them
    /// and announcing each with `+CMTI: "SM",<index>` (mt=1).
    public var deliversInboundDirectly = false

    public init() {}

    /// A healthy stick with a ready SIM, registered at home.
    public static let healthy = ModemSimulatorProfile()

    /// A Huawei stick that keeps echoing after `ATE0`, sends `^RSSI` between commands and
    /// their responses, and takes 200 ms to show the prompt.
    public static var noisyHuawei: ModemSimulatorProfile {
        var profile = ModemSimulatorProfile()
        profile.echoIgnoresATE0 = true
        profile.signalSpam = true
        profile.promptDelay = .milliseconds(200)
        return profile
    }

    /// A SIM that requires `pin`, and stays busy for two commands after the PIN is entered.
    public static func pinLocked(_ pin: String) -> ModemSimulatorProfile {
        var profile = ModemSimulatorProfile()
        profile.pin = pin
        profile.simBusyAfterPIN = 2
        return profile
    }

    /// A modem that responds to nothing from the start and survives reopening and the reset command,
    /// so recovery climbs every step and marks it down.
    public static var hanging: ModemSimulatorProfile {
        var profile = ModemSimulatorProfile()
        profile.startsHung = true
        profile.ignoresResetCommand = true
        return profile
    }

    /// A modem with a ready SIM that finds no network.
    public static var unregistered: ModemSimulatorProfile {
        var profile = ModemSimulatorProfile()
        profile.registration = 0
        return profile
    }
}
