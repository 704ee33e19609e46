import Foundation
import Simulators
import Testing

/// The daemon binary with two simulated modems in its pool, sending a 20-recipient broadcast.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ModemFleetTests {
    struct MessageRow: Decodable {
        var id: Int64
        var recipient: String
        var state: String
        var providerID: String?
    }

    static let recipients = (1...20).map { String(format: "+4477009%05d", $0) }

    /// With the default queue settings both modems carry part of the broadcast, and every
    /// recipient gets exactly one message.
    @Test func broadcastSharedByTwoModems() async throws {
        let stage = try await Stage.start(waitsForBusyModem: true)
        defer { stage.cleanUp() }
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.directory.path + "/daemon.log")
        do {
            try await stage.waitForInitialisedModems()
            try await stage.broadcast()
            let rows = try await stage.waitForFinalStates()

            #expect(rows.count == 20)
            #expect(rows.allSatisfy { $0.state == "delivered" }, "\(rows.map { "\($0.id):\($0.state)" })")
            let first = stage.recipientsReceived(by: stage.modems[0])
            let second = stage.recipientsReceived(by: stage.modems[1])
            #expect(!first.isEmpty, "modem-1 received no PDU")
            #expect(!second.isEmpty, "modem-2 received no PDU")
            #expect(Set(first + second) == Set(Self.recipients.map { String($0.dropFirst()) }))
            #expect(first.count + second.count == 20, "no duplicates without a fault")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(stage.daemonLog())")
        }
        await stage.stop(daemon)
    }

    /// When a normal message may not wait for a busy provider (`max_wait: normal: 0s`), the two
    /// modems send the broadcast in parallel, and every recipient gets exactly one message.
    @Test func broadcastSentInParallel() async throws {
        let stage = try await Stage.start(waitsForBusyModem: false)
        defer { stage.cleanUp() }
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.directory.path + "/daemon.log")
        do {
            try await stage.waitForInitialisedModems()
            try await stage.broadcast()
            let rows = try await stage.waitForFinalStates()

            #expect(rows.count == 20)
            #expect(rows.allSatisfy { $0.state == "delivered" }, "\(rows.map { "\($0.id):\($0.state)" })")
            let first = stage.recipientsReceived(by: stage.modems[0])
            let second = stage.recipientsReceived(by: stage.modems[1])
            #expect(!first.isEmpty, "modem-1 received no PDU")
            #expect(!second.isEmpty, "modem-2 received no PDU")
            #expect(Set(first + second) == Set(Self.recipients.map { String($0.dropFirst()) }))
            #expect(first.count + second.count == 20, "no duplicates without a fault")
            let providers = Set(rows.compactMap(\.providerID))
            #expect(providers == ["modem-1", "modem-2"], "\(providers)")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(stage.daemonLog())")
        }
        await stage.stop(daemon)
    }

    /// One modem hangs mid-broadcast: every message still ends delivered, none is lost, and only
    /// the messages in flight at the hang reach their recipient twice.
    @Test func modemHangsMidBroadcast() async throws {
        let stage = try await Stage.start(waitsForBusyModem: false)
        defer { stage.cleanUp() }
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.directory.path + "/daemon.log")
        do {
            try await stage.waitForInitialisedModems()
            try await stage.broadcast()
            let hung = stage.modems[0]
            try await stage.waitUntil("modem-1 sent two messages") { hung.receivedPDUs.count >= 2 }
            let sentBeforeHang = hung.receivedPDUs.count
            hung.hang()
            let rows = try await stage.waitForFinalStates()

            #expect(rows.count == 20)
            #expect(rows.allSatisfy { $0.state == "delivered" }, "\(rows.map { "\($0.id):\($0.state)" })")
            let received = stage.recipientsReceived(by: stage.modems[0]) + stage.recipientsReceived(by: stage.modems[1])
            let counts = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
            #expect(Set(counts.keys) == Set(Self.recipients.map { String($0.dropFirst()) }), "a recipient got nothing")
            let duplicated = counts.filter { $0.value > 1 }
            // In flight at the hang: the last message modem-1 sent before it, whose status report may
            // still have been on its way, and the one whose PDU it was taking.
            let inFlight = Set(stage.recipientsReceived(by: hung).dropFirst(max(0, sentBeforeHang - 1)))
            #expect(Set(duplicated.keys).isSubset(of: inFlight), "duplicates beyond the messages in flight: \(duplicated)")
            #expect(duplicated.values.allSatisfy { $0 == 2 }, "\(duplicated)")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(stage.daemonLog())")
        }
        await stage.stop(daemon)
    }

    /// A modem that hangs between the `>` prompt and the PDU stays silent: it takes the PDU but
    /// never confirms it, which is the send whose outcome the gateway cannot know.
    @Test func hungModemConfirmsNoPDU() async throws {
        let modem = ModemSimulator(profile: .healthy)
        defer { modem.stop() }
        let port = try RawPort(path: try modem.start())
        defer { port.close() }
        // TP-DA +447700900555, GSM 7-bit "hi"; the SMSC field 00 selects the SIM's SMSC.
        let pdu = "0001000C91447700095055000002E834"

        try port.write("ATE0\r")
        #expect(port.read(until: "OK", timeout: .seconds(5)).contains("OK"))
        try port.write("AT+CMGS=\(pdu.count / 2 - 1)\r")
        #expect(port.read(until: "> ", timeout: .seconds(5)).contains("> "))
        modem.hang()
        try port.write(pdu + "\u{1A}")
        try await waitUntilReceived(modem)
        let received = try #require(SubmitPDUFields(modem.receivedPDUs[0]))
        #expect(received.recipientDigits == "447700900555")
        #expect(received.sevenBitText == "hi")
        let reply = port.read(until: "OK", timeout: .seconds(1))

        #expect(!reply.contains("+CMGS"), "a hung modem confirmed the PDU: \(reply.debugDescription)")
    }

    /// Waits until the simulator recorded the PDU, for at most 5 s.
    private func waitUntilReceived(_ modem: ModemSimulator) async throws {
        for _ in 0..<250 where modem.receivedPDUs.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(modem.receivedPDUs.count == 1, "the simulator did not record the PDU")
    }

    struct WaitFailure: Error, CustomStringConvertible {
        var description: String
    }
}

extension ModemSimulatorProfile {
    /// A healthy modem that takes 100 ms to show the `>` prompt, so that a broadcast lasts long
    /// enough to hang a modem in the middle of it.
    static var slowPrompt: ModemSimulatorProfile {
        var profile = ModemSimulatorProfile.healthy
        profile.promptDelay = .milliseconds(100)
        return profile
    }
}

extension ModemFleetTests {
    /// Two modem simulators, the temporary directory, the recipient file and the config file.
    final class Stage: Sendable {
        let directory: TemporaryDirectory
        let configPath: String
        let modems: [ModemSimulator]

        private init(directory: TemporaryDirectory, configPath: String, modems: [ModemSimulator]) {
            self.directory = directory
            self.configPath = configPath
            self.modems = modems
        }

        /// Starts two modems that take 100 ms to show the prompt. With `waitsForBusyModem`, a normal
        /// message waits for a busy provider as by default, else it never waits. A message without a
        /// status report is re-routed after 20 s, so a report lost in a hang does not stall the test.
        static func start(waitsForBusyModem: Bool) async throws -> Stage {
            let directory = try TemporaryDirectory()
            let modems = [ModemSimulator(profile: .slowPrompt), ModemSimulator(profile: .slowPrompt)]
            var devices: [String] = []
            do {
                for modem in modems { devices.append(try modem.start()) }
            } catch {
                for modem in modems { modem.stop() }
                directory.remove()
                throw error
            }
            let recipients = "number\n" + ModemFleetTests.recipients.joined(separator: "\n") + "\n"
            try recipients.write(toFile: directory.path + "/recipients.csv", atomically: true, encoding: .utf8)
            let config = """
                database: \(directory.path)/lifeline.db
                log_level: debug
                queue:
                  delivery_deadline:
                    normal: 20s
                \(waitsForBusyModem ? "" : "  max_wait:\n    normal: 0s")
                breaker:
                  failure_threshold: 1
                  cooldown: 2s
                providers:
                  - id: modem-1
                    type: modem
                    device: \(devices[0])
                  - id: modem-2
                    type: modem
                    device: \(devices[1])

                """
            let configPath = directory.path + "/lifeline.yaml"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            return Stage(directory: directory, configPath: configPath, modems: modems)
        }

        /// Waits until both modems got the last command of the daemon's initialisation.
        func waitForInitialisedModems() async throws {
            for (index, modem) in modems.enumerated() {
                try await waitUntil("modem-\(index + 1) initialised") { modem.receivedCommands.contains("AT+CREG?") }
            }
        }

        /// Queues the broadcast to the 20 recipients.
        func broadcast() async throws {
            let result = try await LifelineBinary.run([
                "broadcast", "--config", configPath, "--to-file", directory.path + "/recipients.csv",
                "--text", "Fire drill at 15.00, gather at car park B", "--json",
            ])
            try #require(result.status == 0, "broadcast failed: \(result.stderr)")
        }

        /// Re-reads `lifeline messages` until every message is final, for at most 150 s.
        func waitForFinalStates() async throws -> [MessageRow] {
            var last: [MessageRow] = []
            for _ in 0..<300 {
                let result = try await LifelineBinary.run(["messages", "--config", configPath, "--limit", "100", "--json"])
                try #require(result.status == 0, "messages failed: \(result.stderr)")
                last = try JSONDecoder().decode([MessageRow].self, from: Data(result.stdout.utf8))
                let finalStates: Set<String> = ["delivered", "failed", "expired", "cancelled"]
                if last.count == 20, last.allSatisfy({ finalStates.contains($0.state) }) { return last }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw WaitFailure(description: "messages never all final: \(last.map { "\($0.id):\($0.state)" })")
        }

        /// Checks `condition` every 20 ms for at most 30 s.
        func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
            for _ in 0..<1500 {
                if condition() { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw WaitFailure(description: "timed out waiting until \(what)")
        }

        /// Returns the recipient digits of every SMS-SUBMIT a modem received, in order.
        func recipientsReceived(by modem: ModemSimulator) -> [String] {
            modem.receivedPDUs.map { SubmitPDUFields($0)?.recipientDigits ?? "malformed PDU" }
        }

        func daemonLog() -> String {
            (try? String(contentsOfFile: directory.path + "/daemon.log", encoding: .utf8)) ?? "(no log)"
        }

        /// Interrupts the daemon and expects a clean exit.
        func stop(_ daemon: Process) async {
            daemon.interrupt()
            await waitForExit(daemon)
            #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\(daemonLog())")
        }

        func cleanUp() {
            for modem in modems { modem.stop() }
            directory.remove()
        }
    }
}

/// The client side of the simulator's pseudo terminal, read and written with POSIX calls.
final class RawPort {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32

    /// Opens the slave side; the simulator set it to raw mode, so bytes pass unchanged.
    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(path): errno \(errno)") }
    }

    /// Writes `text` in one call; a pseudo terminal takes these few bytes at once.
    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, $0.count) }
        guard written == bytes.count else { throw Failure(description: "short write: \(written) of \(bytes.count)") }
    }

    /// Reads until the text seen contains `marker` or `timeout` passes, and returns the text.
    func read(until marker: String, timeout: Duration) -> String {
        let deadline = ContinuousClock.now + timeout
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while !String(decoding: collected, as: UTF8.self).contains(marker), ContinuousClock.now < deadline {
            var ready = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&ready, 1, 20) > 0 else { continue }
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            collected += buffer[0..<count]
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Closes the port, which the simulator sees as a hang-up.
    func close() {
        _ = Glibc.close(descriptor)
    }
}

/// The fields of an SMS-SUBMIT PDU as a modem receives it after `AT+CMGS`, decoded by hand
/// (3GPP TS 23.040 9.2.2.2), so that the PDU is checked independently of the codec that built it.
struct SubmitPDUFields: Equatable {
    /// The SMSC field: its length octet, then the address; `[0]` makes the modem use the SIM's SMSC.
    var smscField: [UInt8]
    /// TP-MTI, TP-RD, TP-VPF, TP-SRR, TP-UDHI, TP-RP.
    var firstOctet: UInt8
    /// TP-MR.
    var messageReference: UInt8
    /// TP-DA's type of address: 0x91 international, 0x81 unknown.
    var recipientType: UInt8
    /// TP-DA's digits.
    var recipientDigits: String
    /// TP-PID.
    var protocolIdentifier: UInt8
    /// TP-DCS.
    var dataCodingScheme: UInt8
    /// TP-UDL: septets for the GSM 7-bit alphabet, octets otherwise.
    var userDataLength: Int
    /// TP-UD.
    var userData: [UInt8]

    /// Decodes `pdu`, or returns `nil` when it is not an SMS-SUBMIT or its lengths disagree.
    init?(_ pdu: [UInt8]) {
        guard let smscLength = pdu.first.map(Int.init), pdu.count > smscLength + 4 else { return nil }
        smscField = Array(pdu[0...smscLength])
        var index = smscLength + 1
        firstOctet = pdu[index]
        guard firstOctet & 0x03 == 0x01 else { return nil }
        messageReference = pdu[index + 1]
        let digitCount = Int(pdu[index + 2])
        recipientType = pdu[index + 3]
        index += 4
        let addressOctets = (digitCount + 1) / 2
        guard pdu.count >= index + addressOctets + 3 else { return nil }
        var digits = ""
        for octet in pdu[index..<index + addressOctets] {
            for nibble in [octet & 0x0F, octet >> 4] where nibble < 10 { digits += String(nibble) }
        }
        guard digits.count == digitCount else { return nil }
        recipientDigits = digits
        index += addressOctets
        protocolIdentifier = pdu[index]
        dataCodingScheme = pdu[index + 1]
        index += 2
        // TP-VPF: none, enhanced (7 octets), relative (1 octet), absolute (7 octets).
        index += [0, 7, 1, 7][Int(firstOctet >> 3 & 0x03)]
        guard pdu.count > index else { return nil }
        userDataLength = Int(pdu[index])
        index += 1
        let isSevenBit = dataCodingScheme & 0xCC == 0x00
        let octets = isSevenBit ? (userDataLength * 7 + 7) / 8 : userDataLength
        guard pdu.count == index + octets else { return nil }
        userData = Array(pdu[index...])
    }

    /// The text of a GSM 7-bit message without a user data header, for the characters the GSM
    /// default alphabet shares with ASCII (letters, digits, space and common punctuation).
    var sevenBitText: String {
        var septets: [UInt8] = []
        var carry: UInt16 = 0
        var carryBits = 0
        for octet in userData {
            carry |= UInt16(octet) << carryBits
            carryBits += 8
            while carryBits >= 7, septets.count < userDataLength {
                septets.append(UInt8(carry & 0x7F))
                carry >>= 7
                carryBits -= 7
            }
        }
        return String(decoding: septets, as: UTF8.self)
    }
}
