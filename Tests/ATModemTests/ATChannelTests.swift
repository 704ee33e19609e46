import ATModem
import Diagnostics
import Testing

@Suite("AT channel on a scripted stream")
struct ATChannelTests {
    /// The send flow writes the command, waits for the prompt, writes the PDU and Ctrl-Z, and returns `+CMGS`.
    @Test(arguments: ["\r\n> ", ">\r\n", "\r\n^RSSI: 9\r\n\r\n> ", "\r\n>"])
    func sendMessageFlow(prompt: String) async throws {
        let transport = ScriptedTransport([
            ("AT+CMGS=27\r", prompt),
            (fieldCasePDU + "\u{1A}", "\r\n+CMGS: 44\r\n\r\nOK\r\n"),
        ])
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: { _ in })
        let response = try await channel.sendMessage(pduHex: fieldCasePDU, tpduLength: 27, timeout: .seconds(10))
        await channel.close()

        #expect(response.final == .ok)
        #expect(response.value(prefix: "+CMGS:") == "44")
        #expect(transport.written == ["AT+CMGS=27\r", fieldCasePDU + "\u{1A}"])
    }

    /// An error before the prompt ends the send without writing the PDU.
    @Test func errorBeforePromptEndsSend() async throws {
        let transport = ScriptedTransport([("AT+CMGS=27\r", "\r\n+CMS ERROR: 304\r\n")])
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: { _ in })
        let response = try await channel.sendMessage(pduHex: fieldCasePDU, tpduLength: 27, timeout: .seconds(30))
        await channel.close()

        #expect(response.final == .cmsError(CMSErrorCode(304)))
        #expect(transport.written == ["AT+CMGS=27\r"])
    }

    /// A prompt that never comes times out, and ESC is written to leave prompt mode.
    @Test func missingPromptTimesOut() async throws {
        let transport = ScriptedTransport([])
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: { _ in })
        await #expect(throws: ATChannelError.timedOut(command: "AT+CMGS=27", after: .milliseconds(200))) {
            try await channel.sendMessage(pduHex: fieldCasePDU, tpduLength: 27, timeout: .milliseconds(200))
        }
        await channel.close()
        #expect(transport.written == ["AT+CMGS=27\r", "\u{1B}"])
    }

    /// Commands run one after the other in call order, each with its own answer.
    @Test func commandsRunInOrder() async throws {
        let transport = ScriptedTransport([
            ("AT+CGMI\r", "\r\nhuawei\r\n\r\nOK\r\n"),
            ("AT+CSQ\r", "\r\n+CREG: 1\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
        ])
        let recorder = UnsolicitedRecorder()
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: recorder.handler)
        let first = try await channel.execute("AT+CGMI", timeout: .seconds(10))
        let second = try await channel.execute("AT+CSQ", timeout: .seconds(10))

        #expect(first.lines == ["huawei"])
        #expect(second.lines == ["+CSQ: 20,99"])
        #expect(await recorder.first(1) == [.registration(prefix: "+CREG:", fields: "1")])
        await channel.close()
    }

    /// A `+CDS` arriving while a command waits goes to the handler with its PDU; the command gets only its own lines.
    @Test func statusReportDuringCommand() async throws {
        let pdu = "07915155100099F9062C0C91447700091032622010015100296220100151702900"
        let transport = ScriptedTransport([("AT+CSQ\r", "\r\n+CDS: 25\r\n\(pdu)\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n")])
        let recorder = UnsolicitedRecorder()
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: recorder.handler)
        let response = try await channel.execute("AT+CSQ", timeout: .seconds(10))

        #expect(response.lines == ["+CSQ: 20,99"])
        #expect(await recorder.first(1) == [.statusReport(pduHex: pdu, tpduLength: 25)])
        await channel.close()
    }

    /// Garbage and NUL bytes before the answer are counted, and the answer still arrives whole.
    @Test func garbageIsCounted() async throws {
        let transport = ScriptedTransport([("AT\r", "\u{0}\u{0}\r\n\u{FF}junk\r\n\r\nOK\r\n")])
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: { _ in })
        let response = try await channel.execute("AT", timeout: .seconds(10))
        #expect(response.final == .ok)
        #expect(channel.statistics.nulBytes == 2)
        await channel.close()
    }

    /// Commands with a line end or Ctrl-Z are refused before anything is written.
    @Test func commandWithLineEndRefused() async throws {
        let transport = ScriptedTransport([])
        let channel = ATChannel(transport: transport, logger: .disabled, onUnsolicited: { _ in })
        await #expect(throws: ATChannelError.invalidCommand("AT\rAT")) {
            try await channel.execute("AT\rAT", timeout: .seconds(1))
        }
        await channel.close()
        #expect(transport.written.isEmpty)
    }

    /// Commands after close fail with `closed`.
    @Test func closedChannelRefuses() async throws {
        let channel = ATChannel(transport: ScriptedTransport([]), logger: .disabled, onUnsolicited: { _ in })
        await channel.close()
        await #expect(throws: ATChannelError.closed) { try await channel.execute("AT", timeout: .seconds(1)) }
    }

    /// Wire bytes are logged at trace and a PIN never reaches the log.
    @Test func pinNeverLogged() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "modem", level: .trace, handler: handler)
        let transport = ScriptedTransport([("AT+CPIN=\"4321\"\r", "AT+CPIN=\"4321\"\r\r\nOK\r\n")])
        let channel = ATChannel(transport: transport, logger: logger, onUnsolicited: { _ in })
        _ = try await channel.execute("AT+CPIN=\"4321\"", timeout: .seconds(10))
        await channel.close()

        let text = handler.records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(text.contains("AT+CPIN=<masked>"))
        #expect(!text.contains("4321"))
    }
}
