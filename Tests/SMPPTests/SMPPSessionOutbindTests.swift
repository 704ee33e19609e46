import Testing

@testable import SMPP

/// The session's handling of `outbind`, driven by events and explicit instants.
struct SMPPSessionOutbindTests {
    static let receiverBind = BindRequest(mode: .receiver, systemID: "lifeline", password: "secret")

    func outbindFrame(password: String, sequenceNumber: UInt32 = 7) -> [UInt8] {
        PDU(sequenceNumber: sequenceNumber, body: .outbind(Outbind(systemID: "SMSC", password: password))).encoded()
    }

    func waitingSession() -> SMPPSession {
        SMPPSession(
            configuration: .init(bind: Self.receiverBind, responseTimeout: .seconds(5), waitsForOutbind: true)
        )
    }

    /// On a connection the SMSC opened, nothing is sent until the outbind; then bind_receiver goes out.
    @Test func outbindStartsReceiverBind() {
        let now = ContinuousClock.now
        var session = waitingSession()
        #expect(session.connectionOpened(now: now) == [])
        #expect(session.nextDeadline == now + .seconds(5))
        let actions = session.received(outbindFrame(password: "secret"), now: now)
        #expect(actions == [.send(PDU(sequenceNumber: 1, body: .bind(Self.receiverBind)))])
        let response = PDU(sequenceNumber: 1, body: .bindResponse(BindResponse(mode: .receiver, systemID: "SMSC")))
        #expect(session.received(response.encoded(), now: now) == [.bound(systemID: "SMSC")])
    }

    /// An outbind whose password is not the link's closes the connection without a bind.
    @Test func wrongPasswordCloses() {
        let now = ContinuousClock.now
        var session = waitingSession()
        _ = session.connectionOpened(now: now)
        let actions = session.received(outbindFrame(password: "guess"), now: now)
        #expect(actions == [.close(.protocolError("outbind rejected: its password does not match this link's password"))])
    }

    /// No outbind within the response timeout ends the session.
    @Test func noOutbindTimesOut() {
        let now = ContinuousClock.now
        var session = waitingSession()
        _ = session.connectionOpened(now: now)
        #expect(session.timerFired(now: now + .seconds(4)) == [])
        #expect(
            session.timerFired(now: now + .seconds(5)) == [.close(.protocolError("timed out waiting for the outbind"))]
        )
    }

    /// On a connection this side opened, an outbind is reported as ignored and changes nothing.
    @Test func outbindOnOwnConnectionIsIgnored() {
        let now = ContinuousClock.now
        let bind = BindRequest(mode: .transceiver, systemID: "lifeline", password: "secret")
        var session = SMPPSession(configuration: .init(bind: bind))
        _ = session.connectionOpened(now: now)
        _ = session.received(
            PDU(sequenceNumber: 1, body: .bindResponse(BindResponse(mode: .transceiver, systemID: "SMSC"))).encoded(),
            now: now
        )
        #expect(session.received(outbindFrame(password: "secret"), now: now) == [.outbindIgnored(smscSystemID: "SMSC")])
        #expect(session.isBound)
    }
}
