import Diagnostics

extension ModemSession {
    /// Opens the port when needed, then runs the initialisation sequence.
    func openAndInitialise() async throws(ModemError) {
        if channel == nil { try await openChannel() }
        try await initialiseOpenModem()
        phase = .ready
        logger.debug("Modem initialised", metadata: ["modem.csms.service": "\(messageService)"])
        if readsStoredMessages { await collectStoredMessages() }
    }

    private func initialiseOpenModem() async throws(ModemError) {
        try await awaitAnswer(attempts: 3)
        _ = try await execute("ATE0")
        _ = try await execute("AT+CMEE=1")
        try await unlockSIM()
        try await run("AT+CMGF=0")
        if let service = try await run("AT+CSMS?").value(prefix: "+CSMS:").flatMap({ Int(ATFields.split($0)[0]) }) {
            messageService = service
        }
        // ds=1 requests +CDS. Modems that only store reports reject it and take ds=2 (+CDSI).
        if try await execute("AT+CNMI=2,1,0,1,0").final != .ok {
            try await run("AT+CNMI=2,1,0,2,0")
        }
        _ = try await execute("AT+CREG?")
    }

    /// Sends `AT` until the modem returns `OK`, because the first command after opening is often lost.
    private func awaitAnswer(attempts: Int) async throws(ModemError) {
        var lastError = ModemError.noAnswer(command: "AT")
        for _ in 0..<attempts {
            guard let channel else { throw .port(.closed(path: devicePath)) }
            do {
                if try await channel.execute("AT", timeout: timeouts.command).final == .ok { return }
            } catch .timedOut {
                continue
            } catch {
                lastError = lost(error, command: "AT")
                throw lastError
            }
        }
        throw lastError
    }

    /// Checks `AT+CPIN?` and enters the PIN when the SIM requires it.
    private func unlockSIM() async throws(ModemError) {
        switch try await simState() {
        case .ready:
            return
        case .pinRequired:
            guard let pin else { throw .pinRequired }
            guard (4...8).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .invalidPIN }
            logger.debug("Entering SIM PIN")
            try await run("AT+CPIN=\"\(pin)\"")
            guard try await simState() == .ready else { throw .simLocked(state: "SIM PIN rejected") }
        case .pukRequired:
            throw .simLocked(state: "SIM PUK")
        case .other(let code):
            throw .simLocked(state: code)
        case .notInserted, .busy, .unknown:
            throw .commandFailed(command: "AT+CPIN?", result: .cmeError(CMEErrorCode(10)))
        }
    }

    /// Reads `AT+CPIN?`, waiting out SIM busy.
    func simState() async throws(ModemError) -> SIMState {
        let response = try await run("AT+CPIN?")
        guard let code = response.value(prefix: "+CPIN:") else {
            throw .unexpectedAnswer(command: "AT+CPIN?", lines: response.lines)
        }
        return SIMState(code: code)
    }

    /// Sends one PDU; recovers first when the last operation lost the modem.
    func performSend(pdu: [UInt8], tpduLength: Int) async throws(ModemError) -> Int {
        guard let smscLength = pdu.first else { throw .invalidPDU("empty") }
        let expectedLength = pdu.count - 1 - Int(smscLength)
        guard expectedLength > 0, expectedLength == tpduLength else {
            throw .invalidPDU("TPDU length \(tpduLength) given, \(expectedLength) octets follow the SMSC field")
        }
        try await ensureReady()
        guard let channel else { throw .port(.closed(path: devicePath)) }
        let response: ATResponse
        do {
            response = try await channel.sendMessage(
                pduHex: ATHex.encode(pdu),
                tpduLength: tpduLength,
                timeout: timeouts.send
            )
        } catch {
            throw lost(error, command: "AT+CMGS=\(tpduLength)")
        }
        guard response.final == .ok else {
            throw .commandFailed(command: "AT+CMGS=\(tpduLength)", result: response.final)
        }
        guard let reference = response.value(prefix: "+CMGS:").flatMap({ Int(ATFields.split($0)[0]) }) else {
            throw .unexpectedAnswer(command: "AT+CMGS=\(tpduLength)", lines: response.lines)
        }
        logger.trace("Message sent", metadata: ["modem.mr": "\(reference)"])
        return reference
    }

    /// Brings the session to `ready`: initialises a closed one, recovers a lost one.
    private func ensureReady() async throws(ModemError) {
        switch phase {
        case .ready:
            return
        case .closed:
            try await openAndInitialise()
        case .needsRecovery, .down:
            if await performRecovery() == .down { throw .down(reason: downReason) }
        case .shutDown:
            throw .closed
        }
    }

    private var downReason: String {
        if case .down(let reason) = phase { return reason }
        return "no answer after reopening and reset"
    }

    /// Reads every field of `ModemStatus`, retrying commands while the SIM is busy. Fields whose
    /// command fails stay `nil`. Does not recover a silent modem.
    func performProbe() async -> ModemStatus {
        var status = ModemStatus(device: devicePath)
        if channel == nil { try? await openChannel() }
        if let openedPath { status.device = openedPath }
        guard channel != nil, (try? await execute("AT").final) == .ok else {
            markLost(reason: "no answer to AT")
            status.diagnose()
            return status
        }
        status.responsive = true
        status.manufacturer = await identity("AT+CGMI")
        status.model = await identity("AT+CGMM")
        status.imei = await identity("AT+CGSN")
        status.imsi = await identity("AT+CIMI")
        status.iccid = await identity("AT+CCID")
        if status.iccid == nil { status.iccid = await identity("AT+ICCID") }
        status.simState = await probedSIMState()
        status.registration = await registration()
        if let fields = try? await run("AT+COPS?").value(prefix: "+COPS:").map(ATFields.split), fields.count >= 3 {
            status.operatorName = fields[2]
        }
        if let fields = try? await run("AT+CSQ").value(prefix: "+CSQ:").map(ATFields.split),
            let rssi = Int(fields[0])
        {
            status.signalDBm = ModemStatus.signalDBm(rssi: rssi)
        }
        if let fields = try? await run("AT+CSCA?").value(prefix: "+CSCA:").map(ATFields.split) {
            status.smscAddress = fields[0]
        }
        status.diagnose()
        return status
    }

    private func probedSIMState() async -> SIMState {
        guard let response = try? await execute("AT+CPIN?") else { return .unknown }
        switch response.final {
        case .ok: return response.value(prefix: "+CPIN:").map(SIMState.init(code:)) ?? .unknown
        case .cmeError(let code) where code.code == 10: return .notInserted
        case .cmeError(let code) where code.code == 14: return .busy
        case .cmeError(let code) where code.code == 11: return .pinRequired
        case .cmeError(let code) where code.code == 12: return .pukRequired
        default: return .unknown
        }
    }

    /// Reads the better of `+CREG` and `+CEREG`, because a modem on LTE only registers in the latter.
    private func registration() async -> RegistrationState? {
        var states: [RegistrationState] = []
        for (command, prefix) in [("AT+CREG?", "+CREG:"), ("AT+CEREG?", "+CEREG:")] {
            if let fields = try? await run(command).value(prefix: prefix),
                let state = RegistrationState(readAnswer: fields)
            {
                states.append(state)
            }
        }
        return states.first(where: \.isRegistered) ?? states.first
    }

    /// Reads the single value an identity command returns, without a `+XXX:` prefix or quotes.
    private func identity(_ command: String) async -> String? {
        guard let response = try? await run(command), var line = response.lines.first else {
            return nil
        }
        if line.hasPrefix("+") || line.hasPrefix("^"), let colon = line.firstIndex(of: ":") {
            line = String(line[line.index(after: colon)...])
        }
        let value = ATLineClassifier.trimmed(line).filter { $0 != "\"" }
        return value.isEmpty ? nil : value
    }
}
