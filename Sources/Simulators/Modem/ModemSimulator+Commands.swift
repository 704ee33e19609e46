import Foundation

extension ModemSimulator {
    /// Consumes bytes from the client and returns what the modem writes back. Called under `lock`.
    func process(_ bytes: [UInt8]) -> [UInt8] {
        if let until = state.silentUntil, ContinuousClock.now < until { return [] }
        var output: [UInt8] = state.echo && !state.hung ? bytes : []
        for byte in bytes {
            if state.pendingSend != nil {
                output += consumePDUByte(byte)
            } else if byte == 0x1B {
                // ESC outside a prompt (a host leaving a prompt the modem already closed) is no
                // command: a modem drops it with the partial line, so "ESC AT CR" is plain AT.
                state.input = []
            } else if byte == UInt8(ascii: "\r") {
                let line = String(decoding: state.input, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                state.input = []
                if !line.isEmpty { output += answer(line) }
            } else if byte != UInt8(ascii: "\n"), state.input.count < 4096 {
                state.input.append(byte)
            }
        }
        return output
    }

    /// Scheduled writes whose time has come, and the end of a reset. Called under `lock`.
    func dueOutput() -> [UInt8] {
        let now = ContinuousClock.now
        if let until = state.silentUntil, now >= until {
            state.silentUntil = nil
            state.powerCycle()
        }
        // A hung modem writes nothing; what it had scheduled comes out if it recovers.
        if state.hung { return [] }
        var output: [UInt8] = []
        state.scheduled.sort { $0.deadline < $1.deadline }
        while let first = state.scheduled.first, first.deadline <= now {
            output += first.bytes
            state.scheduled.removeFirst()
        }
        return output
    }

    private func consumePDUByte(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case 0x1A:
            let hex = String(decoding: state.input, as: UTF8.self)
            state.input = []
            // A hung modem takes the PDU but never confirms it: the outcome the gateway cannot know.
            let reply = finishSend(hex: hex)
            return state.hung ? [] : reply
        case 0x1B:
            state.input = []
            state.pendingSend = nil
            return Array("\r\nOK\r\n".utf8)
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
            return []
        default:
            if state.input.count < 4096 { state.input.append(byte) }
            return []
        }
    }

    private func answer(_ line: String) -> [UInt8] {
        state.receivedCommands.append(line)
        let upper = line.uppercased()
        if state.hung {
            guard upper == "AT+CFUN=1,1", !state.profile.ignoresResetCommand else { return [] }
        }
        let spam = state.profile.signalSpam ? Array("\r\n^RSSI: 17\r\n".utf8) : []
        return spam + respond(to: line, upper: upper)
    }

    private func respond(to line: String, upper: String) -> [UInt8] {
        let profile = state.profile
        let simCommands = [
            "AT+CMGF", "AT+CSMS", "AT+CNMI", "AT+CMGS", "AT+CSCA", "AT+CIMI", "AT+CCID", "AT+COPS", "AT+CNMA",
        ]
        if !state.simReady, simCommands.contains(where: { upper.hasPrefix($0) }) { return cmeError(11) }
        if state.simBusyLeft > 0, upper != "AT", upper.hasPrefix("AT+") {
            state.simBusyLeft -= 1
            return cmeError(14)
        }
        switch upper {
        case "AT": return ok()
        case "ATE0":
            if !profile.echoIgnoresATE0 { state.echo = false }
            return ok()
        case "ATE1":
            state.echo = true
            return ok()
        case "AT+CPIN?": return ok(["+CPIN: \(state.simReady ? "READY" : "SIM PIN")"])
        case "AT+CSMS?": return ok(["+CSMS: \(profile.messageService),1,1,1"])
        case "AT+CREG?": return ok(["+CREG: 0,\(profile.registration)"])
        case "AT+CEREG?": return ok(["+CEREG: 0,\(profile.registration)"])
        case "AT+COPS?":
            let registered = profile.registration == 1 || profile.registration == 5
            return ok([registered ? "+COPS: 0,0,\"\(profile.operatorName)\",7" : "+COPS: 0"])
        case "AT+CSQ": return ok(["+CSQ: \(profile.signalRSSI),99"])
        case "AT+CGMI": return ok([profile.manufacturer])
        case "AT+CGMM": return ok([profile.model])
        case "AT+CGSN": return ok([profile.imei])
        case "AT+CIMI": return ok([profile.imsi])
        case "AT+CCID": return ok(["+CCID: \(profile.iccid)"])
        case "AT+CSCA?": return ok(["+CSCA: \"\(profile.smscAddress)\",145"])
        case "AT+CFUN?": return ok(["+CFUN: 1"])
        case "AT+CNMA":
            guard profile.messageService == 1 else { return cmsError(340) }
            state.acknowledgements += 1
            return ok()
        case "AT+CFUN=1,1":
            state.silentUntil = ContinuousClock.now + profile.resetSilence
            state.scheduled = []
            return ok()
        default:
            return respondWithArgument(line, upper: upper)
        }
    }

    /// `AT+CSCS` (TS 27.007 5.5): reads, lists or selects the TE character set.
    private func respondToCharacterSet(_ line: String, upper: String) -> [UInt8] {
        let supported = ["IRA", "GSM", "UCS2"]
        switch upper {
        case "AT+CSCS?": return ok(["+CSCS: \"\(state.characterSet)\""])
        case "AT+CSCS=?": return ok(["+CSCS: (" + supported.map { "\"\($0)\"" }.joined(separator: ",") + ")"])
        default:
            let requested = upper.dropFirst("AT+CSCS=".count).filter { $0 != "\"" }
            guard upper.hasPrefix("AT+CSCS="), supported.contains(String(requested)) else { return cmeError(4) }
            state.characterSet = String(requested)
            return ok()
        }
    }

    private func respondWithArgument(_ line: String, upper: String) -> [UInt8] {
        if upper.hasPrefix("AT+CSCS") {
            return respondToCharacterSet(line, upper: upper)
        }
        if upper.hasPrefix("AT+CMEE="), let mode = Int(upper.dropFirst(8)) {
            state.errorMode = mode
            return ok()
        }
        if upper.hasPrefix("AT+CPIN=") {
            let entered = line.dropFirst(8).filter { $0 != "\"" }
            guard entered == state.profile.pin else { return cmeError(16) }
            state.pinEntered = true
            state.simBusyLeft = state.profile.simBusyAfterPIN
            return ok()
        }
        if upper.hasPrefix("AT+CMGS="), let length = Int(upper.dropFirst(8)) {
            state.pendingSend = length
            let prompt = Array("\r\n> ".utf8)
            guard state.profile.promptDelay > .zero else { return prompt }
            state.scheduled.append((ContinuousClock.now + state.profile.promptDelay, prompt))
            return []
        }
        if upper.hasPrefix("AT+CNMI="), state.profile.storesStatusReports, upper.split(separator: ",").count > 3,
            upper.split(separator: ",")[3] == "1"
        {
            return cmsError(303)
        }
        if upper.hasPrefix("AT+CMGR="), let index = Int(upper.dropFirst(8)) {
            guard let stored = state.storedPDUs[index] else { return cmsError(321) }
            return ok(["+CMGR: \(stored.status),,\(stored.tpduLength)", stored.hex])
        }
        if upper.hasPrefix("AT+CMGD="), let index = Int(upper.dropFirst(8)) {
            state.storedPDUs[index] = nil
            return ok()
        }
        if upper == "AT+CPMS?" {
            let used = state.storedPDUs.count
            return ok(["+CPMS: " + Array(repeating: "\"SM\",\(used),100", count: 3).joined(separator: ",")])
        }
        if upper.hasPrefix("AT+CMGL="), let wanted = Int(upper.dropFirst(8)) {
            // <stat> 4 lists everything; 0 to 3 list that status only (TS 27.005 3.4.2).
            let listed = state.storedPDUs.sorted { $0.key < $1.key }.filter { wanted == 4 || $0.value.status == wanted }
            return ok(listed.flatMap { ["+CMGL: \($0.key),\($0.value.status),,\($0.value.tpduLength)", $0.value.hex] })
        }
        if upper.hasPrefix("AT+CPMS=") {
            let used = state.storedPDUs.count
            return ok(["+CPMS: \(used),100,\(used),100,\(used),100"])
        }
        if upper.hasPrefix("AT+CMGF=") || upper.hasPrefix("AT+CNMI=") || upper.hasPrefix("AT+CSMS=")
            || upper.hasPrefix("AT+CSCA=")
        {
            return ok()
        }
        return state.errorMode == 0 ? Array("\r\nERROR\r\n".utf8) : cmeError(4)
    }

    /// Ends an `AT+CMGS` once the PDU and Ctrl-Z arrived.
    private func finishSend(hex: String) -> [UInt8] {
        let announced = state.pendingSend ?? 0
        state.pendingSend = nil
        guard let pdu = Self.bytes(hex: hex) else { return cmsError(304) }
        state.receivedPDUs.append(pdu)
        if let code = state.failNextSend {
            state.failNextSend = nil
            return cmsError(code)
        }
        guard StatusReportBuilder.tpduLength(ofSubmit: pdu) == announced else { return cmsError(304) }
        guard state.profile.registration == 1 || state.profile.registration == 5 else { return cmsError(331) }

        let reference = state.nextReference
        state.nextReference = (reference + 1) & 0xFF
        if StatusReportBuilder.requestsReport(pdu), let recipient = StatusReportBuilder.recipientAddress(ofSubmit: pdu)
        {
            scheduleStatusReport(reference: reference, recipient: recipient)
        }
        return ok(["+CMGS: \(reference)"])
    }

    private func scheduleStatusReport(reference: Int, recipient: [UInt8]) {
        let now = Date()
        let report = StatusReportBuilder.report(
            reference: reference,
            recipient: recipient,
            status: state.profile.statusReportStatus,
            smscAddress: state.profile.smscAddress,
            submitted: now,
            discharged: now
        )
        let hex = report.pdu.map { String(format: "%02X", $0) }.joined()
        var text = "\r\n+CDS: \(report.tpduLength)\r\n\(hex)\r\n"
        if state.profile.storesStatusReports {
            let index = state.nextStorageIndex
            state.nextStorageIndex += 1
            state.storedPDUs[index] = (hex, report.tpduLength, 0)
            text = "\r\n+CDSI: \"SR\",\(index)\r\n"
        }
        state.scheduled.append((ContinuousClock.now + state.profile.statusReportDelay, Array(text.utf8)))
    }

    private func ok(_ lines: [String] = []) -> [UInt8] {
        Array((lines.map { "\r\n\($0)\r\n" }.joined() + "\r\nOK\r\n").utf8)
    }

    private func cmeError(_ code: Int) -> [UInt8] {
        let meanings = [4: "operation not supported", 11: "SIM PIN required", 14: "SIM busy", 16: "incorrect password"]
        return finalError(family: "CME", code: code, meaning: meanings[code])
    }

    private func cmsError(_ code: Int) -> [UInt8] {
        let meanings = [
            303: "operation not supported", 304: "invalid PDU mode parameter", 321: "invalid memory index",
            331: "no network service", 340: "no +CNMA acknowledgement expected", 500: "unknown error",
        ]
        return finalError(family: "CMS", code: code, meaning: meanings[code])
    }

    /// Formats the error in the form `AT+CMEE` selected: plain `ERROR`, numeric, or verbose.
    private func finalError(family: String, code: Int, meaning: String?) -> [UInt8] {
        switch state.errorMode {
        case 0: return Array("\r\nERROR\r\n".utf8)
        case 2 where meaning != nil: return Array("\r\n+\(family) ERROR: \(meaning!)\r\n".utf8)
        default: return Array("\r\n+\(family) ERROR: \(code)\r\n".utf8)
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var result: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let value = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            result.append(value)
        }
        return result
    }
}
