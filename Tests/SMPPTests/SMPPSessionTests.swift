import Testing

@testable import SMPP

/// The session state machine driven by events and a manual clock.
struct SMPPSessionTests {
    /// A clock the test moves by hand.
    struct ManualClock {
        private(set) var now = ContinuousClock.now

        mutating func advance(by duration: Duration) {
            now += duration
        }
    }

    static let bind = BindRequest(mode: .transceiver, systemID: "lifeline", password: "secret")
    static let submit = SubmitSM(destinationAddress: "447700900123", shortMessage: Array("Hi".utf8))

    /// Makes a session bound at `clock.now`, with the given window and timers.
    func boundSession(
        clock: ManualClock,
        windowSize: Int = 10,
        first: UInt32 = 1
    ) -> SMPPSession {
        var session = SMPPSession(
            configuration: .init(
                bind: Self.bind,
                windowSize: windowSize,
                enquireLinkInterval: .seconds(30),
                responseTimeout: .seconds(5)
            ),
            sequenceNumbers: SequenceNumbers(first: first)
        )
        let opened = session.connectionOpened(now: clock.now)
        guard case .send(let bindPDU)? = opened.first else { return session }
        let response = PDU(
            sequenceNumber: bindPDU.sequenceNumber,
            body: .bindResponse(BindResponse(mode: .transceiver, systemID: "SMSC"))
        )
        _ = session.received(response.encoded(), now: clock.now)
        return session
    }

    func sequence(of action: SMPPSession.SubmitAction) -> UInt32? {
        if case .send(let pdu) = action { return pdu.sequenceNumber }
        return nil
    }

    /// Opening the connection sends the bind; its OK response binds the session.
    @Test func bindSequence() {
        let clock = ManualClock()
        var session = SMPPSession(configuration: .init(bind: Self.bind))
        #expect(session.submit(Self.submit, now: clock.now) == .notBound)
        let actions = session.connectionOpened(now: clock.now)
        #expect(actions == [.send(PDU(sequenceNumber: 1, body: .bind(Self.bind)))])
        #expect(!session.isBound)
        let response = PDU(sequenceNumber: 1, body: .bindResponse(BindResponse(mode: .transceiver, systemID: "SMSC")))
        #expect(session.received(response.encoded(), now: clock.now) == [.bound(systemID: "SMSC")])
        #expect(session.isBound)
    }

    /// No bind_resp within the response timeout closes the session.
    @Test func bindTimeout() {
        var clock = ManualClock()
        var session = SMPPSession(configuration: .init(bind: Self.bind, responseTimeout: .seconds(5)))
        _ = session.connectionOpened(now: clock.now)
        clock.advance(by: .seconds(4))
        #expect(session.timerFired(now: clock.now) == [])
        clock.advance(by: .seconds(1))
        #expect(session.timerFired(now: clock.now) == [.close(.bindTimeout)])
    }

    /// The window admits its size in submits, refuses the next, and frees a slot per response.
    @Test func windowFull() {
        let clock = ManualClock()
        var session = boundSession(clock: clock, windowSize: 3)
        let numbers = (0..<3).compactMap { _ in sequence(of: session.submit(Self.submit, now: clock.now)) }
        #expect(numbers == [2, 3, 4])
        #expect(session.submit(Self.submit, now: clock.now) == .windowFull)

        let response = PDU(sequenceNumber: 3, body: .submitSMResponse(SubmitSMResponse(messageID: "m3")))
        #expect(
            session.received(response.encoded(), now: clock.now) == [
                .completeSubmit(sequenceNumber: 3, outcome: .accepted(messageID: "m3", messageIDKey: "m3"))
            ]
        )
        #expect(sequence(of: session.submit(Self.submit, now: clock.now)) == 5)
    }

    /// Submit sequence numbers run up to 0x7FFFFFFF and continue at 1.
    @Test func sequenceWrapsToOne() {
        let clock = ManualClock()
        var session = boundSession(clock: clock, first: 0x7FFF_FFFE)
        #expect(sequence(of: session.submit(Self.submit, now: clock.now)) == 0x7FFF_FFFF)
        #expect(sequence(of: session.submit(Self.submit, now: clock.now)) == 1)
        #expect(sequence(of: session.submit(Self.submit, now: clock.now)) == 2)
    }

    /// A submit with no response within the timeout ends ambiguous; a late response is ignored.
    @Test func responseTimeoutIsAmbiguous() {
        var clock = ManualClock()
        var session = boundSession(clock: clock)
        let number = sequence(of: session.submit(Self.submit, now: clock.now))!
        #expect(session.nextDeadline == clock.now + .seconds(5))
        clock.advance(by: .milliseconds(4_999))
        #expect(session.timerFired(now: clock.now) == [])
        clock.advance(by: .milliseconds(1))
        #expect(
            session.timerFired(now: clock.now) == [
                .completeSubmit(sequenceNumber: number, outcome: .ambiguous(.responseTimeout))
            ]
        )
        #expect(session.outstandingSubmitCount == 0)
        let late = PDU(sequenceNumber: number, body: .submitSMResponse(SubmitSMResponse(messageID: "late")))
        #expect(session.received(late.encoded(), now: clock.now) == [])
    }

    /// An idle link gets an enquire_link after the interval. Without a response within the
    /// timeout, the link is dead and the window's submits end ambiguous.
    @Test func enquireLinkTimeoutDeclaresLinkDead() {
        var clock = ManualClock()
        var session = boundSession(clock: clock)
        clock.advance(by: .seconds(29))
        #expect(session.timerFired(now: clock.now) == [])
        clock.advance(by: .seconds(1))
        let probe = session.timerFired(now: clock.now)
        guard case .send(let enquireLink)? = probe.first, case .enquireLink = enquireLink.body else {
            Issue.record("no enquire_link sent: \(probe)")
            return
        }
        let number = sequence(of: session.submit(Self.submit, now: clock.now))!
        clock.advance(by: .seconds(5))
        #expect(
            session.timerFired(now: clock.now) == [
                .completeSubmit(sequenceNumber: number, outcome: .ambiguous(.linkDown(.enquireLinkTimeout))),
                .close(.enquireLinkTimeout),
            ]
        )
        #expect(session.isClosed)
        #expect(session.submit(Self.submit, now: clock.now) == .notBound)
    }

    /// An enquire_link_resp keeps the link up and schedules the next probe.
    @Test func enquireLinkAnswered() {
        var clock = ManualClock()
        var session = boundSession(clock: clock)
        clock.advance(by: .seconds(30))
        guard case .send(let probe)? = session.timerFired(now: clock.now).first else { return }
        let answer = PDU(sequenceNumber: probe.sequenceNumber, body: .enquireLinkResponse(EnquireLinkResponse()))
        #expect(session.received(answer.encoded(), now: clock.now) == [.linkAlive])
        clock.advance(by: .seconds(10))
        #expect(session.timerFired(now: clock.now) == [])
        #expect(session.isBound)
        #expect(session.nextDeadline == clock.now + .seconds(20))
    }

    /// deliver_sm gets a deliver_sm_resp echoing its number, then is handed over.
    @Test func deliverSMAnswered() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let deliverSM = DeliverSM(
            sourceAddress: "447700900123",
            esmClass: 0x04,
            shortMessage: Array("id:7 stat:DELIVRD".utf8)
        )
        let actions = session.received(PDU(sequenceNumber: 77, body: .deliverSM(deliverSM)).encoded(), now: clock.now)
        #expect(
            actions == [
                .send(PDU(sequenceNumber: 77, body: .deliverSMResponse(DeliverSMResponse()))),
                .deliver(deliverSM),
            ]
        )
    }

    /// With deferred answers, deliver_sm is handed over unanswered, answered later with the
    /// owner's status, and not answered at all once the session has closed.
    @Test func deliverSMAnsweredWhenHandled() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        var configuration = session.configuration
        configuration.defersDeliverResponse = true
        session = SMPPSession(configuration: configuration)
        guard case .send(let bindPDU)? = session.connectionOpened(now: clock.now).first else {
            Issue.record("no bind sent")
            return
        }
        _ = session.received(
            PDU(
                sequenceNumber: bindPDU.sequenceNumber,
                body: .bindResponse(BindResponse(mode: .transceiver, systemID: "SMSC"))
            ).encoded(),
            now: clock.now
        )
        #expect(session.isBound)
        let deliverSM = DeliverSM(sourceAddress: "447700900123", esmClass: 0x04, shortMessage: Array("id:7 stat:DELIVRD".utf8))
        let actions = session.received(PDU(sequenceNumber: 77, body: .deliverSM(deliverSM)).encoded(), now: clock.now)
        #expect(actions == [.deliverAwaitingResponse(deliverSM, sequenceNumber: 77)])
        #expect(
            session.respondToDeliverSM(sequenceNumber: 77, status: .receiverTemporaryError) == [
                .send(PDU(commandStatus: .receiverTemporaryError, sequenceNumber: 77, body: .deliverSMResponse(DeliverSMResponse())))
            ]
        )
        _ = session.connectionLost(.closedByPeer)
        #expect(session.respondToDeliverSM(sequenceNumber: 78, status: .ok) == [])
    }

    /// An unknown command gets generic_nack ESME_RINVCMDID with its sequence number.
    @Test func unknownCommandNacked() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let dataSM = PDU(sequenceNumber: 41, body: .unsupported(.dataSM, body: [0, 0]))
        #expect(
            session.received(dataSM.encoded(), now: clock.now) == [
                .send(PDU(commandStatus: .invalidCommandID, sequenceNumber: 41, body: .genericNack(GenericNack())))
            ]
        )
    }

    /// generic_nack for a submit rejects it with the nack's status.
    @Test func nackRejectsSubmit() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let number = sequence(of: session.submit(Self.submit, now: clock.now))!
        let nack = PDU(commandStatus: .invalidCommandLength, sequenceNumber: number, body: .genericNack(GenericNack()))
        #expect(
            session.received(nack.encoded(), now: clock.now) == [
                .completeSubmit(sequenceNumber: number, outcome: .rejected(.invalidCommandLength))
            ]
        )
    }

    /// Unbind from the SMSC is answered and ends the session; our unbind waits for unbind_resp.
    @Test func unbindBothWays() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let number = sequence(of: session.submit(Self.submit, now: clock.now))!
        #expect(
            session.received(PDU(sequenceNumber: 9, body: .unbind(Unbind())).encoded(), now: clock.now) == [
                .send(PDU(sequenceNumber: 9, body: .unbindResponse(UnbindResponse()))),
                .completeSubmit(sequenceNumber: number, outcome: .ambiguous(.linkDown(.unboundBySMSC))),
                .close(.unboundBySMSC),
            ]
        )

        var ours = boundSession(clock: clock)
        let request = ours.unbindRequested(now: clock.now)
        #expect(request == [.send(PDU(sequenceNumber: 2, body: .unbind(Unbind())))])
        #expect(!ours.isBound)
        #expect(
            ours.received(PDU(sequenceNumber: 2, body: .unbindResponse(UnbindResponse())).encoded(), now: clock.now)
                == [
                    .close(.unbound)
                ]
        )
    }

    /// An impossible command_length ends the session after a generic_nack.
    @Test func unframeableInputCloses() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let actions = session.received(bytes(hex: "FFFFFFFF00000004"), now: clock.now)
        #expect(
            actions.first
                == .send(
                    PDU(commandStatus: .invalidCommandLength, sequenceNumber: 0, body: .genericNack(GenericNack()))
                )
        )
        #expect(session.isClosed)
    }

    /// A malformed request is nacked and the session goes on.
    @Test func malformedRequestNacked() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let actions = session.received(bytes(hex: "00000011000000150000000000000033FF"), now: clock.now)
        #expect(
            actions == [
                .send(
                    PDU(commandStatus: .invalidCommandLength, sequenceNumber: 0x33, body: .genericNack(GenericNack()))
                )
            ]
        )
        #expect(session.isBound)
    }

    /// Losing the connection ends every submit in the window ambiguous.
    @Test func connectionLostMakesWindowAmbiguous() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let first = sequence(of: session.submit(Self.submit, now: clock.now))!
        let second = sequence(of: session.submit(Self.submit, now: clock.now))!
        #expect(
            session.connectionLost(.closedByPeer) == [
                .completeSubmit(sequenceNumber: first, outcome: .ambiguous(.linkDown(.closedByPeer))),
                .completeSubmit(sequenceNumber: second, outcome: .ambiguous(.linkDown(.closedByPeer))),
                .close(.closedByPeer),
            ]
        )
    }

    /// Backoff grows exponentially up to its cap, with jitter from the injected source.
    @Test func backoffGrowsWithJitter() {
        let low = ReconnectBackoff(initialDelay: .seconds(1), maximumDelay: .seconds(10), jitter: 0.2, random: { 0 })
        let middle = ReconnectBackoff(
            initialDelay: .seconds(1),
            maximumDelay: .seconds(10),
            jitter: 0.2,
            random: { 0.5 }
        )
        #expect(
            (1...5).map { middle.delay(afterFailures: $0, reason: .closedByPeer) } == [
                .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10),
            ]
        )
        #expect(low.delay(afterFailures: 1, reason: .closedByPeer) == .milliseconds(800))
    }

    /// Receipt ids match submit ids per the link's setting, leading zeros kept as-is.
    @Test(arguments: [
        (MessageIDMatching.asIs, "0512345678", "0512345678", true),
        (.asIs, "0512345678", "512345678", false),
        (MessageIDMatching(submitResponse: .hexadecimal, receipt: .decimal), "1F", "31", true),
        (MessageIDMatching(submitResponse: .decimal, receipt: .hexadecimal), "255", "ff", true),
        (MessageIDMatching(submitResponse: .hexadecimal, receipt: .hexadecimal), "00ab", "AB", true),
    ])
    func matchesMessageIDs(matching: MessageIDMatching, responseID: String, receiptID: String, equal: Bool) {
        #expect((matching.key(forSubmitResponseID: responseID) == matching.key(forReceiptID: receiptID)) == equal)
    }

    /// A malformed submit_sm_resp with OK status is ambiguous; with an error status it is rejected.
    @Test func malformedSubmitResponse() {
        let clock = ManualClock()
        var session = boundSession(clock: clock)
        let first = sequence(of: session.submit(Self.submit, now: clock.now))!
        let second = sequence(of: session.submit(Self.submit, now: clock.now))!
        let okFrame = bytes(hex: "00000013800000040000000000000000313233").withSequence(first)
        #expect(
            session.received(okFrame, now: clock.now) == [
                .completeSubmit(
                    sequenceNumber: first,
                    outcome: .ambiguous(
                        .malformedResponse(.unterminatedCOctetString(name: "message_id", maxLength: 65, offset: 16))
                    )
                )
            ]
        )
        let errorFrame = bytes(hex: "00000013800000040000005800000000313233").withSequence(second)
        #expect(
            session.received(errorFrame, now: clock.now) == [
                .completeSubmit(sequenceNumber: second, outcome: .rejected(.throttled))
            ]
        )
    }
}
