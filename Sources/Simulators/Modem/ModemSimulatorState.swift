/// The mutable state of a `ModemSimulator`, owned by its lock.
struct ModemSimulatorState {
    var profile: ModemSimulatorProfile
    var echo = true
    var errorMode = 0
    var pinEntered = false
    var simBusyLeft = 0
    var nextReference: Int
    var failNextSend: Int?
    var hung = false
    /// The TE character set chosen with `AT+CSCS`; "IRA" after power-up.
    var characterSet = "IRA"
    var hangOutlastsReopen = false
    var silentUntil: ContinuousClock.Instant?
    var receivedPDUs: [[UInt8]] = []
    var receivedCommands: [String] = []
    var pendingSend: Int?
    /// Stored PDUs by index, status reports ("SR") and received messages ("SM") in one index
    /// space: PDU hex, TPDU length and the `<stat>` `AT+CMGR` reports.
    var storedPDUs: [Int: (hex: String, tpduLength: Int, status: Int)] = [:]
    /// Every `+CMT` the client acknowledged with `AT+CNMA`.
    var acknowledgements = 0
    var nextStorageIndex = 0
    var input: [UInt8] = []
    var scheduled: [(deadline: ContinuousClock.Instant, bytes: [UInt8])] = []

    init(profile: ModemSimulatorProfile) {
        self.profile = profile
        nextReference = profile.firstMessageReference & 0xFF
        hung = profile.startsHung
        hangOutlastsReopen = profile.startsHung
    }

    var simReady: Bool { profile.pin == nil || pinEntered }

    /// Back to power-on state, as after `AT+CFUN=1,1`.
    mutating func powerCycle() {
        echo = true
        errorMode = 0
        pinEntered = false
        simBusyLeft = 0
        hung = false
        hangOutlastsReopen = false
        characterSet = "IRA"
        pendingSend = nil
        input = []
    }
}
