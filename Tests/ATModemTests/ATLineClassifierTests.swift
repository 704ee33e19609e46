import Testing

@testable import ATModem

@Suite("Line classification")
struct ATLineClassifierTests {
    /// Each line of the table is sorted into its class.
    @Test(arguments: [
        ("OK", ATLine.final(.ok)),
        ("ERROR", .final(.error)),
        ("NO CARRIER", .final(.callFailure("NO CARRIER"))),
        ("+CME ERROR: 14", .final(.cmeError(CMEErrorCode(14)))),
        ("+CME ERROR: SIM busy", .final(.cmeError(CMEErrorCode(14)))),
        ("+CME ERROR: sim PIN required", .final(.cmeError(CMEErrorCode(11)))),
        ("+CME ERROR: flux capacitor", .final(.cmeErrorText("flux capacitor"))),
        ("+CMS ERROR: 500", .final(.cmsError(CMSErrorCode(500)))),
        ("+CMS ERROR: SMSC address unknown", .final(.cmsError(CMSErrorCode(330)))),
        (">", .prompt),
        ("> ", .prompt),
        ("+CMTI: \"SM\",4", .unsolicited(.newMessageStored(storage: "SM", index: 4))),
        ("+CDSI: \"SR\",2", .unsolicited(.statusReportStored(storage: "SR", index: 2))),
        ("+CDS: 25", .unsolicited(.statusReport(pduHex: "", tpduLength: 25))),
        ("+CMT: ,33", .unsolicited(.newMessage(header: "+CMT: ,33", pdu: ""))),
        ("RING", .unsolicited(.ring)),
        ("+CREG: 1", .unsolicited(.registration(prefix: "+CREG:", fields: "1"))),
        (
            "+CEREG: 5,\"00C3\",\"0012AB01\",7",
            .unsolicited(.registration(prefix: "+CEREG:", fields: "5,\"00C3\",\"0012AB01\",7"))
        ),
        ("^RSSI: 17", .unsolicited(.other("^RSSI: 17"))),
        ("^RSSI:3", .unsolicited(.other("^RSSI:3"))),
        ("^BOOT:20952339,0,0,0,72", .unsolicited(.other("^BOOT:20952339,0,0,0,72"))),
        ("^MODE:5,4", .unsolicited(.other("^MODE:5,4"))),
        ("+CSQ: 17,99", .information("+CSQ: 17,99")),
        ("867530012345674", .information("867530012345674")),
    ])
    func classifiesLine(line: String, expected: ATLine) {
        #expect(ATLineClassifier.classify(line) == expected)
    }

    /// A line with the running command's prefix is its answer, even when the prefix also marks an unsolicited code.
    @Test(arguments: [
        ("+CREG: 0,1", "+CREG:"),
        ("+CEREG: 0,5", "+CEREG:"),
        ("+CPIN: READY", "+CPIN:"),
    ])
    func prefixOfRunningCommandIsAnswer(line: String, prefix: String) {
        #expect(ATLineClassifier.classify(line, responsePrefix: prefix) == .information(line))
        #expect(ATLineClassifier.classify(line) != .information(line))
    }

    /// The response prefix is derived from the command name.
    @Test(arguments: [
        ("AT+CREG?", "+CREG:"), ("AT+CMGS=27", "+CMGS:"), ("AT+CPIN=\"1234\"", "+CPIN:"), ("AT^SYSINFO", "^SYSINFO:"),
        ("at+csq", "+CSQ:"),
    ])
    func responsePrefixFollowsCommand(command: String, prefix: String) {
        #expect(ATChannel.responsePrefix(of: command) == prefix)
    }

    /// Commands without a `+` or `^` name expect no prefix.
    @Test func basicCommandsHaveNoPrefix() {
        #expect(ATChannel.responsePrefix(of: "ATE0") == nil)
        #expect(ATChannel.responsePrefix(of: "AT") == nil)
    }

    /// A PIN never reaches a log line.
    @Test func pinIsMasked() {
        #expect(ATChannel.loggable("AT+CPIN=\"1234\"") == "AT+CPIN=<masked>")
        #expect(ATChannel.loggable("AT+CPIN?") == "AT+CPIN?")
    }

    /// Fields split at commas outside quotes, quotes removed.
    @Test func fieldsSplitOutsideQuotes() {
        #expect(ATFields.split("0,\"\",33") == ["0", "", "33"])
        #expect(
            ATFields.split("\"REC UNREAD\",6,\"26/02/02,18:00:00-12\"") == ["REC UNREAD", "6", "26/02/02,18:00:00-12"]
        )
    }

    /// SMS timestamps convert to ISO 8601 with the zone in quarter hours.
    @Test(arguments: [
        ("26/02/02,18:00:00-12", "2026-02-02T18:00:00-03:00"),
        ("26/05/20,17:45:09+04", "2026-05-20T17:45:09+01:00"),
        ("26/05/20,17:45:09+22", "2026-05-20T17:45:09+05:30"),
    ])
    func timestampConverts(text: String, iso: String) {
        #expect(ATFields.isoTimestamp(text) == iso)
    }

    /// Malformed timestamps are refused.
    @Test(arguments: ["", "26/02/02 18:00:00-12", "2a/02/02,18:00:00-12", "26/02/02,18:00:00"])
    func malformedTimestampRefused(text: String) {
        #expect(ATFields.isoTimestamp(text) == nil)
    }

    /// `+CSQ` rssi maps to dBm; 99 is unknown.
    @Test(arguments: [(0, -113), (1, -111), (20, -73), (31, -51)])
    func signalMapsToDBm(rssi: Int, dBm: Int) {
        #expect(ModemStatus.signalDBm(rssi: rssi) == dBm)
    }

    /// An rssi of 99 means the modem does not know.
    @Test func unknownSignalIsNil() {
        #expect(ModemStatus.signalDBm(rssi: 99) == nil)
    }
}
