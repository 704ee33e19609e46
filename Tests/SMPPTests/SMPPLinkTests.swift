import Foundation
import SMPP
import SMSCodec
import Simulators
import Testing

/// `SMPPLink` over real TCP on 127.0.0.1 against the SMSC simulator: a transmitter and receiver
/// pair, inbound SMS in every form, and outbind.
@Suite(.timeLimit(.minutes(1)))
struct SMPPLinkTests {
    static let backoff = ReconnectBackoff(
        initialDelay: .milliseconds(50),
        maximumDelay: .milliseconds(200),
        credentialsDelay: .seconds(60),
        random: { 0.5 }
    )

    struct Harness {
        let simulator: SMSCSimulator
        let link: SMPPLink
        let events: EventLog

        func stop() async {
            await link.stop()
            await simulator.stop()
        }
    }

    func makeHarness(
        bindMode: BindMode = .transceiver,
        pair: Bool = false,
        outbind: SMPPOutbindListener? = nil,
        refusing refused: Set<BindMode> = [],
        packsGSM: Bool = false,
        waitForBinds binds: Int = 1
    ) async throws -> Harness {
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(5)))
        await simulator.refuseBinds(refused)
        let port = try await simulator.start()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: port,
            systemID: "lifeline",
            password: "secret",
            bindMode: bindMode,
            responseTimeout: .seconds(5),
            registeredDelivery: 1,
            packsGSM: packsGSM,
            bindsTransmitterAndReceiver: pair,
            outbindListener: outbind
        )
        let link = try SMPPLink(settings: settings, backoff: Self.backoff, logger: .disabled)
        let events = EventLog(link.events)
        try await link.start()
        if binds > 0 {
            #expect(await simulator.waitForBinds(count: binds, timeout: .seconds(10)))
        }
        return Harness(simulator: simulator, link: link, events: events)
    }

    func isBound(_ event: SMPPLinkEvent) -> Bool {
        if case .bound = event { true } else { false }
    }

    // MARK: Transmitter and receiver

    /// An SMSC that rejects bind_transceiver gets a transmitter and a receiver. The submit goes on
    /// the transmitter and its receipt comes back on the receiver, matched by id.
    @Test func transmitterReceiverPair() async throws {
        let harness = try await makeHarness(pair: true, refusing: [.transceiver], waitForBinds: 2)
        let modes = [await harness.events.next(where: isBound), await harness.events.next(where: isBound)]
        let boundModes = Set(modes.compactMap { event -> BindMode? in
            if case .bound(_, let mode)? = event { mode } else { nil }
        })
        #expect(boundModes == [.transmitter, .receiver])
        #expect(await harness.link.isBound)

        let submit = harness.link.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Pair".utf8))
        let outcome = try await harness.link.submit(submit)
        #expect(outcome == .accepted(messageID: "1", messageIDKey: "1"))
        let receipt = await harness.events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let report, let key, _)? = receipt else {
            Issue.record("no receipt on the receiver session")
            return await harness.stop()
        }
        #expect(key == "1")
        #expect(report.status == .delivered)
        await harness.stop()
    }

    /// The same SMSC refuses a transceiver link with ESME_RINVCMDID, so the operator can tell why.
    @Test func refusedTransceiverIsReported() async throws {
        let harness = try await makeHarness(refusing: [.transceiver], waitForBinds: 0)
        let down = await harness.events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.bindRejected(.invalidCommandID)))
        await harness.stop()
    }

    /// A receiver session that drops is reported as such, not as the link going down, and re-binds.
    @Test func receiverDropIsNotLinkDown() async throws {
        let harness = try await makeHarness(pair: true, waitForBinds: 2)
        await harness.simulator.dropConnections()
        let receiverDown = await harness.events.next {
            if case .receiverSessionDown = $0 { true } else { false }
        }
        // A reset instead of an orderly close reads as a socket error; either way it is the receiver's.
        #expect(receiverDown != nil)
        #expect(await harness.simulator.waitForBinds(count: 4, timeout: .seconds(10)))
        await harness.stop()
    }

    // MARK: Inbound SMS

    func inboundPart(
        _ text: [UInt8],
        esmClass: UInt8 = 0,
        dataCoding: UInt8 = 0,
        parameters: [TLV] = [],
        from sender: String = "447700900123"
    ) -> DeliverSM {
        DeliverSM(
            sourceAddressTON: 1,
            sourceAddressNPI: 1,
            sourceAddress: sender,
            destinationAddress: "60123",
            esmClass: esmClass,
            dataCoding: dataCoding,
            shortMessage: text,
            parameters: parameters
        )
    }

    func sar(_ reference: UInt16, total: UInt8, sequence: UInt8) -> [TLV] {
        var parameters: [TLV] = []
        parameters.sarMessageReference = reference
        parameters.sarTotalSegments = total
        parameters.sarSegmentSequenceNumber = sequence
        return parameters
    }

    /// Inbound SMS in each form reach the link as one message with the text joined, and the link
    /// still answers the SMSC's enquire_link after them.
    @Test func inboundFormsAreJoined() async throws {
        let harness = try await makeHarness()
        let gsm = { (text: String) in try! GSMAlphabet.encode(text) }

        // Single.
        await harness.simulator.sendDeliverSM(inboundPart(gsm("HELP")))
        // UDH, parts out of order.
        await harness.simulator.sendDeliverSM(inboundPart([0x05, 0x00, 0x03, 0x2A, 0x02, 0x02] + gsm(" world"), esmClass: 0x40))
        await harness.simulator.sendDeliverSM(inboundPart([0x05, 0x00, 0x03, 0x2A, 0x02, 0x01] + gsm("Hello"), esmClass: 0x40))
        // SAR, UCS-2.
        await harness.simulator.sendDeliverSM(
            inboundPart(UCS2.encode("Пожар "), dataCoding: 8, parameters: sar(0x0102, total: 2, sequence: 1))
        )
        await harness.simulator.sendDeliverSM(
            inboundPart(UCS2.encode("в корпусе"), dataCoding: 8, parameters: sar(0x0102, total: 2, sequence: 2))
        )
        // message_payload.
        var payload: [TLV] = []
        payload.messagePayload = gsm(String(repeating: "Long reply. ", count: 20))
        await harness.simulator.sendDeliverSM(inboundPart([], parameters: payload))

        var received: [InboundSMS] = []
        for _ in 0..<4 {
            let event = await harness.events.next { if case .inboundSMS = $0 { true } else { false } }
            guard case .inboundSMS(let message, _)? = event else { break }
            received.append(message)
        }
        #expect(received.map(\.text) == ["HELP", "Hello world", "Пожар в корпусе", String(repeating: "Long reply. ", count: 20)])
        #expect(received.map(\.partCount) == [1, 2, 2, 1])
        #expect(received.allSatisfy { $0.sender == "447700900123" })
        #expect(received.allSatisfy { $0.recipient == "60123" })
        #expect(received.allSatisfy { $0.senderTON == 1 })
        #expect(received.dropFirst(2).first?.dataCoding == 8)
        await harness.simulator.sendEnquireLink()
        #expect(await harness.simulator.waitForEnquireLinkResponses(count: 1, timeout: .seconds(10)))
        await harness.stop()
    }

    /// The assembler keeps two senders' parts with the same reference apart and hands a part
    /// whose UDH runs past its end over alone.
    @Test func assemblerEdgeCases() {
        var assembler = InboundSMSAssembler()
        let now = Date()
        let first = inboundPart([0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 0x41], esmClass: 0x40, from: "111111111")
        let other = inboundPart([0x05, 0x00, 0x03, 0x01, 0x02, 0x02, 0x42], esmClass: 0x40, from: "222222222")
        #expect(assembler.receive(first, at: now) == nil)
        #expect(assembler.receive(other, at: now) == nil)
        #expect(assembler.pendingCount == 2)

        let broken = inboundPart([0x09, 0x00, 0x03, 0x41], esmClass: 0x40, from: "333333333")
        let alone = assembler.receive(broken, at: now)
        #expect(alone?.partCount == 1)
        #expect(alone?.payload == [0x09, 0x00, 0x03, 0x41])

        #expect(assembler.expire(now: now.addingTimeInterval(601)).count == 2)
        #expect(assembler.pendingCount == 0)
    }

    // MARK: Outbind

    /// With an outbind port, the SMSC's outbind is accepted, the link binds as receiver on that
    /// connection, and receipts and inbound SMS arrive over it.
    @Test func outbindIsAccepted() async throws {
        let harness = try await makeHarness(
            bindMode: .transmitter,
            outbind: SMPPOutbindListener(address: "127.0.0.1", port: 0)
        )
        let port = try #require(await harness.link.outbindPort)
        try await harness.simulator.outbind(toPort: port, password: "secret")
        #expect(await harness.simulator.waitForBinds(count: 2, timeout: .seconds(10)))
        let receiverBound = await harness.events.next {
            if case .bound(_, .receiver) = $0 { true } else { false }
        }
        #expect(receiverBound == .bound(smscSystemID: "SMSCSIM", mode: .receiver))
        // The simulator counts a bind when it reads it, before the link has read its response.
        for _ in 0..<500 where await !harness.link.isBound {
            try await Task.sleep(for: .milliseconds(20))
        }

        let submit = harness.link.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Out".utf8))
        let outcome = try await harness.link.submit(submit)
        #expect(outcome == .accepted(messageID: "1", messageIDKey: "1"))
        let receipt = await harness.events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(_, let key, _)? = receipt else {
            Issue.record("no receipt over the outbind session")
            return await harness.stop()
        }
        #expect(key == "1")

        await harness.simulator.sendDeliverSM(inboundPart(Array("YES".utf8)))
        let inbound = await harness.events.next { if case .inboundSMS = $0 { true } else { false } }
        guard case .inboundSMS(let message, _)? = inbound else {
            Issue.record("no inbound SMS over the outbind session")
            return await harness.stop()
        }
        #expect(message.text == "YES")
        await harness.stop()
    }

    /// Outbind sessions that end free their place, so more outbinds than the limit over time all bind.
    @Test func endedOutbindSessionsFreeTheirPlace() async throws {
        let harness = try await makeHarness(outbind: SMPPOutbindListener(address: "127.0.0.1", port: 0))
        let port = try #require(await harness.link.outbindPort)
        for round in 1...(SMPPLink.maximumOutbindSessions + 1) {
            try await harness.simulator.outbind(toPort: port, password: "secret")
            let bound = await harness.events.next { if case .bound(_, .receiver) = $0 { true } else { false } }
            #expect(bound != nil, "outbind \(round) did not bind")
            await harness.simulator.dropConnections()
            let down = await harness.events.next { if case .outbindSessionDown = $0 { true } else { false } }
            #expect(down != nil, "outbind session \(round) did not end")
        }
        await harness.stop()
    }

    /// An outbind whose system_id or password is not the link's is reported with the remote
    /// address and the system_id it sent, never the password, and closed without a bind.
    @Test(arguments: [
        ("SMSCSIM", "secret", "outbind rejected: its system_id is not the one this link expects"),
        ("lifeline", "guess", "outbind rejected: its password does not match this link's password"),
        ("lifelinf", "secreT", "outbind rejected: its system_id is not the one this link expects"),
    ])
    func outbindWithWrongCredentialsIsClosed(systemID: String, password: String, reason: String) async throws {
        let harness = try await makeHarness(outbind: SMPPOutbindListener(address: "127.0.0.1", port: 0))
        let port = try #require(await harness.link.outbindPort)
        try await harness.simulator.outbind(toPort: port, systemID: systemID, password: password)
        let rejected = await harness.events.next { if case .outbindRejected = $0 { true } else { false } }
        guard case .outbindRejected(let peer, let sentSystemID, let sentReason)? = rejected else {
            Issue.record("no outbindRejected event")
            return await harness.stop()
        }
        #expect(peer.hasPrefix("127.0.0.1:"))
        #expect(sentSystemID == systemID)
        #expect(sentReason == reason)
        #expect(!"\(rejected!)".contains(password))
        let down = await harness.events.next { if case .outbindSessionDown = $0 { true } else { false } }
        #expect(down == .outbindSessionDown(.protocolError(reason)))
        #expect(await harness.simulator.successfulBindCount == 1)
        await harness.stop()
    }

    /// A link set to expect the SMSC's own name in outbinds accepts an outbind carrying it, and
    /// then rejects one carrying the account's system_id.
    @Test func outbindWithConfiguredSystemIDIsAccepted() async throws {
        let listener = SMPPOutbindListener(address: "127.0.0.1", port: 0, systemID: "SMSCSIM")
        let harness = try await makeHarness(bindMode: .transmitter, outbind: listener)
        let port = try #require(await harness.link.outbindPort)
        try await harness.simulator.outbind(toPort: port, systemID: "SMSCSIM", password: "secret")
        #expect(await harness.simulator.waitForBinds(count: 2, timeout: .seconds(10)))
        try await harness.simulator.outbind(toPort: port, systemID: "lifeline", password: "secret")
        let rejected = await harness.events.next { if case .outbindRejected = $0 { true } else { false } }
        guard case .outbindRejected(_, let sentSystemID, _)? = rejected else {
            Issue.record("no outbindRejected event")
            return await harness.stop()
        }
        #expect(sentSystemID == "lifeline")
        #expect(await harness.simulator.successfulBindCount == 2)
        await harness.stop()
    }

    /// Without an outbind port, an outbind on the link's own connection is reported and ignored:
    /// the link stays bound and submits still work.
    @Test func outbindIsIgnoredWithoutListener() async throws {
        let harness = try await makeHarness()
        await harness.simulator.sendOutbindOnBoundConnections(password: "secret")
        let ignored = await harness.events.next { if case .outbindIgnored = $0 { true } else { false } }
        #expect(ignored == .outbindIgnored(smscSystemID: "SMSCSIM"))
        #expect(await harness.link.outbindPort == nil)
        let submit = harness.link.settings.makeSubmitSM(destination: "447700900123", shortMessage: [0x41])
        #expect(try await harness.link.submit(submit) == .accepted(messageID: "1", messageIDKey: "1"))
        #expect(await harness.simulator.successfulBindCount == 1)
        await harness.stop()
    }
}
