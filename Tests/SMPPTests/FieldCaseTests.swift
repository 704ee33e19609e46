import Foundation
import Testing

@testable import SMPP

/// The SMPP and receipt cases of Tests/Fixtures/field-cases.json, every expected value checked.
struct FieldCaseTests {
    // MARK: SMPP-01

    /// The SMSC's enquire_link gets a response at once with a 16-octet header echoing its sequence
    /// number, even with the submit window full, and the own counter wraps from 0x7FFFFFFF to 1.
    @Test func smpp01EnquireLinkAnsweredWithFullWindow() throws {
        let fieldCase = try FieldCase.load("SMPP-01")
        let window = fieldCase.input["window"] as! [String: Any]
        let size = window["size"] as! Int
        let outstanding = window["outstanding_submit_sm_sequences"] as! [Int]
        let expected = fieldCase.expected

        // The own counter must stand at 0x7FFFFFFF before the next request, so the bind and the
        // window's submits are numbered up to it. The window contains as many submits as the case.
        let counter = UInt32(hexString(fieldCase.input["own_sequence_counter_before_next_request"] as! String))
        let start = counter - UInt32(outstanding.count)
        let now = ContinuousClock.now
        var session = SMPPSession(
            configuration: .init(
                bind: BindRequest(mode: .transceiver, systemID: "gw", password: "pw"),
                windowSize: size
            ),
            sequenceNumbers: SequenceNumbers(first: start)
        )
        _ = session.connectionOpened(now: now)
        _ = session.received(bytes(hex: "00000010800000090000000000000000").withSequence(start), now: now)
        #expect(session.isBound)
        for _ in outstanding {
            guard case .send = session.submit(SubmitSM(destinationAddress: "1", shortMessage: []), now: now) else {
                Issue.record("submit refused before the window was full")
                return
            }
        }
        #expect(session.outstandingSubmitCount == outstanding.count)
        #expect(session.submit(SubmitSM(destinationAddress: "1", shortMessage: []), now: now) == .windowFull)

        let actions = session.received(bytes(hex: fieldCase.input["rx_pdu_hex"] as! String), now: now)
        #expect(actions.count == 1)
        guard case .send(let answer)? = actions.first else {
            Issue.record("no answer sent")
            return
        }
        let sent = answer.encoded()
        #expect(hex(sent) == expected["tx_pdu_hex"] as! String)
        #expect(sent.count == expected["tx_length_octets"] as! Int)
        #expect(expected["sent_immediately_despite_full_window"] as! Bool)
        for wrong in expected["wrong_answers_seen"] as! [String] {
            #expect(!wrong.hasPrefix(hex(sent)))
        }
        #expect(session.nextSequenceNumber == UInt32(hexString(expected["next_own_sequence_number"] as! String)))
    }

    /// The counter hands out 0x7FFFFFFF and then 1, never 0 or a value with bit 31 set.
    @Test func sequenceNumbersWrap() {
        var numbers = SequenceNumbers(first: 0x7FFF_FFFE)
        #expect(numbers.next() == 0x7FFF_FFFE)
        #expect(numbers.next() == 0x7FFF_FFFF)
        #expect(numbers.next() == 1)
        #expect(SequenceNumbers(first: 0).upcoming == 1)
        #expect(SequenceNumbers(first: 0x8000_0000).upcoming == 1)
    }

    // MARK: SMPP-03

    /// bind_transmitter encodes to the case's octets.
    @Test func smpp03BindTransmitterEncoding() throws {
        let fieldCase = try FieldCase.load("SMPP-03")
        let config = fieldCase.input["bind_ok_config"] as! [String: Any]
        let bind = BindRequest(
            mode: .transmitter,
            systemID: config["system_id"] as! String,
            password: config["password"] as! String,
            systemType: config["system_type"] as! String,
            interfaceVersion: UInt8(hexString(config["interface_version"] as! String)),
            addressTON: UInt8(config["addr_ton"] as! Int),
            addressNPI: UInt8(config["addr_npi"] as! Int),
            addressRange: config["address_range"] as! String
        )
        let pdu = PDU(sequenceNumber: UInt32(config["sequence_number"] as! Int), body: .bind(bind))
        #expect(hex(pdu.encoded()) == fieldCase.expected["bind_ok_tx_pdu_hex"] as! String)
    }

    /// A password over 8 characters is rejected before connecting, never truncated.
    @Test func smpp03LongPasswordRejected() throws {
        let fieldCase = try FieldCase.load("SMPP-03")
        let config = fieldCase.input["bind_long_password_config"] as! [String: Any]
        let expected = fieldCase.expected["bind_long_password"] as! [String: Any]
        #expect(expected["result"] as? String == "configuration rejected before connecting")
        var settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: 2775,
            systemID: config["system_id"] as! String,
            password: config["password"] as! String,
            bindMode: .transmitter
        )
        settings.allowNonstandardPasswordLength = config["allow_nonstandard_password_length"] as! Bool
        #expect(throws: SMPPLinkSettingsError.passwordTooLong(length: 9, maxLength: 8)) { try settings.validate() }
        #expect(SMPPLinkSettingsError.passwordTooLong(length: 9, maxLength: 8).description.contains("8"))
        #expect(throws: SMPPLinkSettingsError.self) {
            _ = try ESMEClient(settings: settings, logger: .disabled)
        }
        // What must never go out: the password cut to eight characters.
        #expect(!(expected["must_not"] as! String).contains(settings.password))
        #expect(!settings.description.contains(settings.password))
    }

    /// With the opt-in, the nine-character password is sent whole.
    @Test func smpp03LongPasswordOptIn() throws {
        let fieldCase = try FieldCase.load("SMPP-03")
        let config = fieldCase.input["bind_long_password_config_opt_in"] as! [String: Any]
        var settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: 2775,
            systemID: config["system_id"] as! String,
            password: config["password"] as! String,
            bindMode: .transmitter
        )
        settings.allowNonstandardPasswordLength = config["allow_nonstandard_password_length"] as! Bool
        try settings.validate()
        let pdu = PDU(sequenceNumber: 1, body: .bind(settings.bindRequest))
        #expect(hex(pdu.encoded()) == fieldCase.expected["bind_long_password_opt_in_tx_pdu_hex"] as! String)
    }

    /// A system_id over 15 characters is rejected.
    @Test func systemIDTooLongRejected() {
        let settings = SMPPLinkSettings(host: "h", port: 1, systemID: String(repeating: "s", count: 16), password: "pw")
        #expect(throws: SMPPLinkSettingsError.systemIDTooLong(length: 16, maxLength: 15)) { try settings.validate() }
    }

    /// Error bind responses parse with and without the empty system_id. They leave the session
    /// unbound with a credentials error and reconnect on the slow pace. The OK one binds.
    @Test(arguments: ["err17", "err16", "ok"])
    func smpp03BindResponses(name: String) throws {
        let fieldCase = try FieldCase.load("SMPP-03")
        let variants = fieldCase.input["bind_resp_variants"] as! [[String: Any]]
        let frame = bytes(hex: variants.first { $0["name"] as? String == name }!["pdu_hex"] as! String)
        let expected = (fieldCase.expected["bind_resp"] as! [String: Any])[name] as! [String: Any]

        let pdu = try PDU(decoding: frame)
        guard case .bindResponse = pdu.body else {
            Issue.record("not a bind_resp")
            return
        }
        let now = ContinuousClock.now
        var session = SMPPSession(
            configuration: .init(bind: BindRequest(mode: .transmitter, systemID: "gw-test01", password: "Pa55w0rd"))
        )
        _ = session.connectionOpened(now: now)
        let actions = session.received(frame, now: now)
        #expect(session.isBound == expected["bound"] as! Bool)

        if let smscSystemID = expected["smsc_system_id"] as? String {
            #expect(pdu.commandStatus == .ok)
            #expect(actions == [.bound(systemID: smscSystemID)])
            return
        }
        let status = expected["status"] as! String
        #expect(pdu.commandStatus.description == status)
        #expect(actions == [.close(.bindRejected(.invalidPassword))])
        #expect(expected["class"] as? String == "credentials")
        #expect(pdu.commandStatus.isCredentialsError)
        if let parses = expected["parse_ok"] as? Bool { #expect(parses) }
        if let reconnect = expected["reconnect"] as? String {
            #expect(reconnect.hasPrefix("slow backoff"))
            let backoff = ReconnectBackoff(credentialsDelay: .seconds(300), random: { 0.5 })
            #expect(backoff.delay(afterFailures: 1, reason: .bindRejected(.invalidPassword)) == .seconds(300))
            #expect(backoff.delay(afterFailures: 1, reason: .closedByPeer) == .seconds(1))
        }
    }

    // MARK: DLR-01

    /// Each receipt text parses to every expected field, look-alikes inside text: ignored.
    @Test(arguments: ["classic", "no_sub_dlvrd", "long_id_seconds", "vendor_words", "lookalike_in_text"])
    func dlr01ParsesReceipt(name: String) throws {
        let fieldCase = try FieldCase.load("DLR-01")
        let receipts = fieldCase.input["receipts"] as! [[String: Any]]
        let text = receipts.first { $0["name"] as? String == name }!["short_message"] as! String
        let expected = fieldCase.expected[name] as! [String: Any]

        let receipt = try DeliveryReceipt(parsing: text)
        #expect(receipt.messageID == expected["id"] as! String)
        #expect(receipt.stat == expected["stat"] as? String)
        check(expected, "sub", receipt.submitted)
        check(expected, "dlvrd", receipt.delivered)
        checkText(expected, "submit_date", receipt.submitDate?.description)
        checkText(expected, "done_date", receipt.doneDate?.description)
        checkText(expected, "err", receipt.error)
        checkText(expected, "text", receipt.text)
        if expected.keys.contains("message_state") {
            check(expected, "message_state", receipt.messageState.map { Int($0.rawValue) })
        }
        if let final = expected["final"] as? Bool {
            #expect(receipt.isFinal == final)
        }
        if expected["status_class"] != nil {
            #expect(receipt.status == .unknown)
            #expect(receipt.status != .delivered)
            #expect(!receipt.isFinal)
        }
    }

    /// Each seven-letter stat word maps to its message_state value and back.
    @Test func dlr01StatToMessageState() throws {
        let table = try FieldCase.load("DLR-01").expected["stat_to_message_state"] as! [String: Int]
        for (stat, value) in table {
            #expect(SMPPMessageState(stat: stat)?.rawValue == UInt8(value), "\(stat)")
            #expect(SMPPMessageState(rawValue: UInt8(value))?.stat == stat)
        }
        #expect(SMPPMessageState(stat: "FAILED") == nil)
    }

    /// All-zero dates mean absent; ten and twelve digits both parse.
    @Test func dlr01Dates() throws {
        let note = try FieldCase.load("DLR-01").expected["dates"] as! String
        #expect(note.contains("all-zero means absent"))
        #expect(ReceiptDate(digits: "0000000000") == nil)
        #expect(ReceiptDate(digits: "2603141022")?.description == "2026-03-14T10:22")
        #expect(ReceiptDate(digits: "260314102233")?.description == "2026-03-14T10:22:33")
        #expect(ReceiptDate(digits: "26031410223") == nil)
    }

    private func check(
        _ expected: [String: Any],
        _ key: String,
        _ actual: Int?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard expected.keys.contains(key) else { return }
        #expect(actual == expected[key] as? Int, "\(key)", sourceLocation: sourceLocation)
    }

    private func checkText(
        _ expected: [String: Any],
        _ key: String,
        _ actual: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard expected.keys.contains(key) else { return }
        #expect(actual == expected[key] as? String, "\(key)", sourceLocation: sourceLocation)
    }
}

/// Parses `0x7FFFFFFF`.
func hexString(_ text: String) -> UInt64 {
    UInt64(text.dropFirst(2), radix: 16)!
}

extension Array where Element == UInt8 {
    /// Returns a copy with octets 12..15 (the sequence number) replaced.
    func withSequence(_ sequence: UInt32) -> [UInt8] {
        var copy = self
        copy[12] = UInt8(sequence >> 24)
        copy[13] = UInt8((sequence >> 16) & 0xFF)
        copy[14] = UInt8((sequence >> 8) & 0xFF)
        copy[15] = UInt8(sequence & 0xFF)
        return copy
    }
}
