import ATModem
import Diagnostics
import Simulators
import Testing

@Suite("Modem session over a pseudo terminal")
struct ModemSessionTests {
    /// Initialisation runs the full sequence and the probe reads every field of a healthy modem.
    @Test func initialiseAndProbe() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            let status = await session.probe()

            #expect(status.responsive)
            #expect(status.manufacturer == "huawei")
            #expect(status.model == "E3372")
            #expect(status.imei == "867530012345674")
            #expect(status.imsi == "234150123456789")
            #expect(status.iccid == "89441501234567890123")
            #expect(status.simState == .ready)
            #expect(status.registration == .home)
            #expect(status.operatorName == "Lifeline Mobile")
            #expect(status.signalDBm == -73)
            #expect(status.smscAddress == "+15550100999")
            #expect(status.diagnosis == [])
            let commands = simulator.receivedCommands
            for command in [
                "AT", "ATE0", "AT+CMEE=1", "AT+CPIN?", "AT+CMGF=0", "AT+CSMS?", "AT+CNMI=2,1,0,1,0", "AT+CREG?",
            ] {
                #expect(commands.contains(command), "missing \(command)")
            }
        }
    }

    /// PDU-01 is sent with `AT+CMGS=27` and each send returns the next message reference.
    @Test func sendReturnsReference() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            let first = try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)
            let second = try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)

            #expect(first == 1)
            #expect(second == 2)
            #expect(simulator.receivedPDUs == [bytes(fieldCasePDU), bytes(fieldCasePDU)])
            #expect(simulator.receivedCommands.contains("AT+CMGS=27"))
        }
    }

    /// A send with TP-SRR set brings a `+CDS` status report as an event, with its TPDU length and reference.
    @Test func statusReportArrivesAsEvent() async throws {
        try await withSimulatedModem { _, session in
            try await session.initialise()
            let reference = try await session.send(pdu: bytes(pduRequestingReport), tpduLength: 27)
            let event = await firstEvent(of: session) { if case .statusReport = $0 { true } else { false } }

            guard case .statusReport(let report)? = event else {
                Issue.record("no status report event")
                return
            }
            #expect(report.source == .unsolicited)
            #expect(report.tpduLength == 25)
            #expect(report.pduHex.count / 2 == 25 + 8, "8 octets of SMSC field precede the TPDU")
            #expect(
                report.pduHex.hasPrefix("07915155100099F906" + ATHex.encode([UInt8(reference)]) + "0B912120550541F3")
            )
            #expect(report.pduHex.hasSuffix("00"), "TP-ST delivered")
        }
    }

    /// A modem that stores reports announces them with `+CDSI`; the session reads, publishes and deletes each.
    @Test func storedStatusReportRead() async throws {
        var profile = ModemSimulatorProfile()
        profile.storesStatusReports = true
        profile.statusReportStatus = 0x46
        try await withSimulatedModem(profile) { simulator, session in
            try await session.initialise()
            #expect(simulator.receivedCommands.contains("AT+CNMI=2,1,0,2,0"))
            _ = try await session.send(pdu: bytes(pduRequestingReport), tpduLength: 27)
            let event = await firstEvent(of: session) { if case .statusReport = $0 { true } else { false } }

            guard case .statusReport(let report)? = event else {
                Issue.record("no status report event")
                return
            }
            #expect(report.source == .storage("SR", index: 0))
            #expect(report.tpduLength == 25)
            #expect(report.pduHex.hasSuffix("46"), "TP-ST as configured")
            #expect(simulator.receivedCommands.contains("AT+CMGR=0"))
            #expect(simulator.receivedCommands.contains("AT+CMGD=0"))
        }
    }

    /// When the modem goes away (its pty closes), the session reports it lost.
    @Test func hangUpReportsModemLost() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            simulator.stop()
            let event = await firstEvent(of: session) { if case .modemLost = $0 { true } else { false } }
            #expect(event != nil)
            #expect(await session.state == .needsRecovery)
            #expect(await session.probe().responsive == false)
        }
    }

    /// `+CMS ERROR: 500` after the PDU fails the send with its code at once, not after the send timeout.
    @Test func cmsErrorFailsSend() async throws {
        var timeouts = testTimeouts
        timeouts.send = .seconds(60)
        try await withSimulatedModem(timeouts: timeouts) { simulator, session in
            try await session.initialise()
            simulator.failNextSend(cmsCode: 500)
            await #expect(throws: ModemError.commandFailed(command: "AT+CMGS=27", result: .cmsError(CMSErrorCode(500))))
            {
                try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)
            }
            // Failing on the error line, not by the timeout: the next send works on the same channel.
            #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) == 1)
        }
    }

    /// `^RSSI` lines between command and answer, and echo that ignores `ATE0`, disturb nothing.
    @Test func signalSpamAndStickyEcho() async throws {
        try await withSimulatedModem(.noisyHuawei) { _, session in
            try await session.initialise()
            #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) == 1)
            let status = await session.probe()
            #expect(status.model == "E3372")
            #expect(status.signalDBm == -73)
            #expect(status.isHealthy)
        }
    }

    /// A SIM that asks for its PIN is unlocked with the configured PIN, waiting out SIM busy.
    @Test func simPINEntered() async throws {
        try await withSimulatedModem(.pinLocked("1234"), pin: "1234") { simulator, session in
            try await session.initialise()
            #expect(simulator.receivedCommands.contains("AT+CPIN=\"1234\""))
            #expect(await session.probe().simState == .ready)
            #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) == 1)
        }
    }

    /// A wrong PIN fails initialisation with the SIM's error and the PIN stays out of the error text.
    @Test func wrongPINFails() async throws {
        var profile = ModemSimulatorProfile()
        profile.pin = "1234"
        try await withSimulatedModem(profile, pin: "9999") { _, session in
            do throws(ModemError) {
                try await session.initialise()
                Issue.record("initialised with a wrong PIN")
            } catch {
                #expect(error == .commandFailed(command: "AT+CPIN=<masked>", result: .cmeError(CMEErrorCode(16))))
                #expect(!error.description.contains("9999"))
            }
        }
    }

    /// A PIN that is not 4 to 8 digits is never sent to the SIM.
    @Test func malformedPINNotSent() async throws {
        var profile = ModemSimulatorProfile()
        profile.pin = "1234"
        try await withSimulatedModem(profile, pin: "12\"34") { simulator, session in
            await #expect(throws: ModemError.invalidPIN) { try await session.initialise() }
            #expect(!simulator.receivedCommands.contains { $0.hasPrefix("AT+CPIN=") })
        }
    }

    /// A PDU whose TPDU length disagrees with its octets is rejected before anything is written.
    @Test func mismatchedPDULengthRejected() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            await #expect(throws: ModemError.invalidPDU("TPDU length 26 given, 27 octets follow the SMSC field")) {
                try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 26)
            }
            await #expect(throws: ModemError.invalidPDU("empty")) { try await session.send(pdu: [], tpduLength: 0) }
            #expect(simulator.receivedPDUs.isEmpty)
        }
    }

    /// Without a configured PIN, initialisation fails with `pinRequired` and the probe says what to set.
    @Test func simPINMissing() async throws {
        var profile = ModemSimulatorProfile()
        profile.pin = "1234"
        try await withSimulatedModem(profile) { _, session in
            await #expect(throws: ModemError.pinRequired) { try await session.initialise() }
            let status = await session.probe()
            #expect(status.simState == .pinRequired)
            #expect(status.diagnosis.contains("SIM asks for a PIN: set pin_file"))
        }
    }

    /// A modem that is not registered is diagnosed in plain words and a send fails as transient.
    @Test func notRegisteredDiagnosis() async throws {
        try await withSimulatedModem(.unregistered) { _, session in
            try await session.initialise()
            let status = await session.probe()
            #expect(status.registration == .notRegistered)
            #expect(status.diagnosis.contains("not registered: check the antenna and the SIM's subscription"))
            do throws(ModemError) {
                _ = try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)
                Issue.record("send succeeded without registration")
            } catch {
                #expect(error == .commandFailed(command: "AT+CMGS=27", result: .cmsError(CMSErrorCode(331))))
                #expect(error.errorClass == .transient)
            }
        }
    }

    /// A hung modem times out, is reported lost, and reopening the port brings it back.
    @Test func hungModemRecoveredByReopen() async throws {
        var timeouts = testTimeouts
        timeouts.send = .seconds(2)
        timeouts.command = .seconds(1)
        try await withSimulatedModem(timeouts: timeouts) { simulator, session in
            try await session.initialise()
            simulator.hang()
            await #expect(throws: ModemError.noAnswer(command: "AT+CMGS=27")) {
                try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)
            }
            #expect(await firstEvent(of: session) { if case .modemLost = $0 { true } else { false } } != nil)

            #expect(await session.state == .needsRecovery)
            #expect(await session.recover() == .reopened)
            #expect(await session.state == .ready)
            #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) >= 1)
        }
    }

    /// A modem that stays silent after a reopen is brought back by the reset command.
    @Test func hungModemRecoveredByReset() async throws {
        var profile = ModemSimulatorProfile()
        profile.resetSilence = .milliseconds(500)
        var timeouts = testTimeouts
        timeouts.command = .seconds(1)
        try await withSimulatedModem(profile, timeouts: timeouts) { simulator, session in
            try await session.initialise()
            simulator.hang(outlastsReopen: true)
            #expect(await session.recover() == .reset)
            #expect(simulator.receivedCommands.contains("AT+CFUN=1,1"))
            #expect(await session.probe().isHealthy)
        }
    }

    /// A modem that ignores the reset command is marked down and sends fail with `down`.
    @Test func unrecoverableModemMarkedDown() async throws {
        var timeouts = testTimeouts
        timeouts.command = .milliseconds(500)
        timeouts.resetRecovery = .seconds(1)
        try await withSimulatedModem(timeouts: timeouts, resetCommand: "AT^RESET") { simulator, session in
            try await session.initialise()
            simulator.hang(outlastsReopen: true)

            #expect(await session.recover() == .down)
            #expect(await firstEvent(of: session) { if case .modemDown = $0 { true } else { false } } != nil)
            #expect(simulator.receivedCommands.contains("AT^RESET"))
            do throws(ModemError) {
                _ = try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)
                Issue.record("send succeeded on a modem marked down")
            } catch {
                guard case .down = error else {
                    Issue.record("expected down, got \(error)")
                    return
                }
                #expect(error.errorClass == .providerUnavailable)
            }
        }
    }

    /// `AT+CNMA` acknowledges a `+CDS` when `AT+CSMS?` reports service 1.
    @Test func statusReportAcknowledgedWithService1() async throws {
        var profile = ModemSimulatorProfile()
        profile.messageService = 1
        try await withSimulatedModem(profile) { simulator, session in
            try await session.initialise()
            _ = try await session.send(pdu: bytes(pduRequestingReport), tpduLength: 27)
            // The session acknowledges before it publishes the report.
            #expect(await firstEvent(of: session) { if case .statusReport = $0 { true } else { false } } != nil)
            #expect(simulator.receivedCommands.contains("AT+CNMA"))
        }
    }

    /// No `AT+CNMA` is sent when `AT+CSMS?` reports service 0.
    @Test func statusReportNotAcknowledgedWithService0() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            _ = try await session.send(pdu: bytes(pduRequestingReport), tpduLength: 27)
            #expect(await firstEvent(of: session) { if case .statusReport = $0 { true } else { false } } != nil)
            #expect(!simulator.receivedCommands.contains("AT+CNMA"))
        }
    }

    /// A `+CMTI` for an index the modem cannot read publishes nothing and leaves the session ready.
    @Test func unreadableStoredMessageSkipped() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            simulator.sendUnsolicited("+CMTI: \"SM\",4")
            try await waitUntil { simulator.receivedCommands.contains("AT+CMGR=4") }
            #expect(!simulator.receivedCommands.contains("AT+CMGD=4"), "an unread message must stay stored")
            #expect(await session.state == .ready)
            #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) == 1)
        }
    }

    /// A probe after close finds the modem unresponsive and unhealthy, with a diagnosis naming the cause.
    @Test func closedSessionProbeUnhealthy() async throws {
        try await withSimulatedModem { _, session in
            try await session.initialise()
            #expect(await session.probe().isHealthy)
            await session.close()
            let status = await session.probe()

            #expect(!status.responsive)
            #expect(!status.isHealthy)
            #expect(status.diagnosis.contains { $0.contains("closed") }, "\(status.diagnosis)")
        }
    }

    /// A status whose modem never responded is not healthy even with no diagnosis filled in.
    @Test func unresponsiveStatusUnhealthy() {
        var status = ModemStatus(device: "/dev/ttyUSB2")
        #expect(!status.isHealthy)
        status.responsive = true
        #expect(status.isHealthy)
    }

    /// After close, operations fail with `closed` and the event stream ends.
    @Test func closeEndsSession() async throws {
        try await withSimulatedModem { _, session in
            try await session.initialise()
            await session.close()
            await #expect(throws: ModemError.closed) {
                try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27)
            }
            let ended = await withDeadline(.seconds(10)) {
                for await _ in session.events {}
                return true
            }
            #expect(ended == true)
        }
    }
}
