import Testing

@testable import ATModem

@Suite("Line framing")
struct ATInputParserTests {
    /// Feeds `text` byte by byte and in one piece; both must give the same lines.
    private func lines(_ text: String, configure: (inout ATInputParser) -> Void = { _ in }) -> [ATLine] {
        var whole = ATInputParser()
        configure(&whole)
        let all = whole.feed(Array(text.utf8))
        var bytewise = ATInputParser()
        configure(&bytewise)
        let split = text.utf8.flatMap { bytewise.feed([$0]) }
        #expect(all == split, "chunking changed the result")
        return all
    }

    /// CR, LF, CRLF and an echo's CRCRLF all end a line; empty lines are skipped.
    @Test(arguments: ["OK\r\n", "\r\nOK\r\n", "OK\n", "OK\r", "\n\nOK\r\r\n"])
    func lineEndsVary(text: String) {
        #expect(lines(text) == [.final(.ok)])
    }

    /// The prompt is recognised in each form modems send.
    @Test(arguments: ["\r\n> ", "> ", ">\r\n", "\r\n>\r\n"])
    func promptForms(text: String) {
        #expect(lines(text) == [.prompt])
    }

    /// A lone `>` without line end counts only while a prompt is expected.
    @Test func barePromptNeedsExpectation() {
        var parser = ATInputParser()
        #expect(parser.feed(Array("\r\n>".utf8)).isEmpty)
        var expecting = ATInputParser()
        expecting.expectingPrompt = true
        #expect(expecting.feed(Array("\r\n>".utf8)) == [.prompt])
        #expect(expecting.feed(Array(" ".utf8)).isEmpty, "the space after the prompt is not a line")
    }

    /// A prompt right after an unsolicited code still counts as a prompt.
    @Test func promptAfterUnsolicitedCode() {
        let result = lines("\r\n^RSSI: 12\r\n\r\n> ")
        #expect(result == [.unsolicited(.other("^RSSI: 12")), .prompt])
    }

    /// The echo of the running command is discarded, with or without spaces and case changes.
    @Test func echoIsDiscarded() {
        let result = lines("AT+CMGR=3\r\r\nOK\r\n") { $0.echoCandidates = ["AT+CMGR=3"] }
        #expect(result == [.echo("AT+CMGR=3"), .final(.ok)])
        let upper = lines("at+cmgr=3\r\r\nOK\r\n") { $0.echoCandidates = ["AT+CMGR=3"] }
        #expect(upper.first == .echo("at+cmgr=3"))
    }

    /// An echoed PDU with its Ctrl-Z is discarded as echo.
    @Test func echoedPDUIsDiscarded() {
        let result = lines("0001AB\u{1A}\r\n+CMGS: 7\r\n\r\nOK\r\n") { $0.echoCandidates = ["0001AB"] }
        #expect(result == [.echo("0001AB"), .information("+CMGS: 7"), .final(.ok)])
    }

    /// NUL bytes are dropped and counted; the line around them survives.
    @Test func nulBytesDropped() {
        var parser = ATInputParser()
        let result = parser.feed([0, 0x4F, 0, 0x4B, 0x0D, 0x0A])
        #expect(result == [.final(.ok)])
        #expect(parser.statistics.nulBytes == 2)
    }

    /// An overlong line is dropped whole and the next line is intact.
    @Test func overlongLineDropped() {
        var parser = ATInputParser(maximumLineLength: 16)
        let result = parser.feed(Array((String(repeating: "A", count: 40) + "\r\nOK\r\n").utf8))
        #expect(result == [.final(.ok)])
        #expect(parser.statistics.overlongLines == 1)
    }

    /// Bytes that are not UTF-8 are counted and never break the following line.
    @Test func invalidUTF8Counted() {
        var parser = ATInputParser()
        let result = parser.feed([0xFF, 0xFE, 0x41, 0x0D, 0x0A] + Array("OK\r\n".utf8))
        #expect(result.count == 2)
        #expect(result.last == .final(.ok))
        #expect(parser.statistics.invalidUTF8Lines == 1)
    }

    /// A `+CDS` header whose next line is not a PDU is dropped and that line is classified on its own.
    @Test func brokenTwoLineCodeDropped() {
        var parser = ATInputParser()
        let result = parser.feed(Array("\r\n+CDS: 25\r\nOK\r\n".utf8))
        #expect(result == [.final(.ok)])
        #expect(parser.statistics.malformedUnsolicited == 1)
    }

    /// PDU-04: the line after `+CDS: 25` belongs to the code, and 25 is the TPDU length without the SMSC field.
    @Test func fieldCasePDU04Framing() throws {
        let fieldCase = try FieldCases.named("PDU-04")
        let urcLines = try #require(try fieldCase.at("input.urc_lines") as? [String])
        var parser = ATInputParser()
        parser.responsePrefix = "+CSQ:"
        let stream = "\r\n" + urcLines.joined(separator: "\r\n") + "\r\n\r\n+CSQ: 17,99\r\n\r\nOK\r\n"
        let result = parser.feed(Array(stream.utf8))

        let pdu = urcLines[1]
        #expect(
            result == [
                .unsolicited(.statusReport(pduHex: pdu, tpduLength: 25)), .information("+CSQ: 17,99"), .final(.ok),
            ]
        )
        let report = try fieldCase.at("expected.reports") as? [[String: Any]]
        #expect(report?.first?["tpdu_length"] as? Int == 25)
        // The SMSC field is 1 + 7 octets here, the rest is the TPDU.
        let smscOctets = Int(pdu.prefix(2), radix: 16)! + 1
        #expect(pdu.count / 2 - smscOctets == 25)
    }

    /// PDU-04: a status report read with `AT+CMGR` keeps its PDU line in the answer and its length.
    @Test func fieldCasePDU04StoredReport() throws {
        let fieldCase = try FieldCases.named("PDU-04")
        let readLines = try #require(try fieldCase.at("input.read_lines") as? [String])
        var parser = ATInputParser()
        parser.responsePrefix = "+CMGR:"
        let result = parser.feed(Array(("\r\n" + readLines.joined(separator: "\r\n") + "\r\n\r\nOK\r\n").utf8))
        let response = ATResponse(
            command: "AT+CMGR=1",
            lines: result.compactMap { if case .information(let l) = $0 { l } else { nil } },
            final: .ok
        )
        let stored = try #require(StoredMessage(response: response))
        #expect(stored.tpduLength == 25)
        #expect(stored.pduHex == readLines[1])
        #expect(stored.pduHex.count / 2 - 1 == 25, "the SMSC field 00 is one octet and not counted")
    }
}
