import Testing

@testable import SMPP

/// The session's handling of `outbind`, driven by events and explicit instants.
struct SMPPSessionOutbindTests {
    static let receiverBind = BindRequest(mode: .receiver, systemID: "lifeline", password: "secret")

    func outbindFrame(systemID: String = "lifeline", password: String, sequenceNumber: UInt32 = 7) -> [UInt8] {
        PDU(sequenceNumber: sequenceNumber, body: .outbind(Outbind(systemID: systemID, password: password))).encoded()
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

    /// An outbind whose system_id or password is not the link's is reported with the system_id it
    /// sent and closes the connection without a bind. An empty or longer value does not match either.
    @Test(arguments: [
        ("lifeline", "guess", "outbind rejected: its password does not match this link's password"),
        ("lifeline", "secret1", "outbind rejected: its password does not match this link's password"),
        ("lifeline", "", "outbind rejected: its password does not match this link's password"),
        ("SMSC", "secret", "outbind rejected: its system_id is not the one this link expects"),
        ("lifelin", "secret", "outbind rejected: its system_id is not the one this link expects"),
        ("other", "guess", "outbind rejected: its system_id is not the one this link expects"),
    ])
    func wrongCredentialsClose(systemID: String, password: String, reason: String) {
        let now = ContinuousClock.now
        var session = waitingSession()
        _ = session.connectionOpened(now: now)
        let actions = session.received(outbindFrame(systemID: systemID, password: password), now: now)
        #expect(actions == [.outbindRejected(smscSystemID: systemID, reason: reason), .close(.protocolError(reason))])
        #expect(session.isClosed)
    }

    /// A link that names the SMSC's system_id for outbinds accepts that name and no other.
    @Test func configuredOutbindSystemID() {
        let now = ContinuousClock.now
        let configuration = SMPPSession.Configuration(
            bind: Self.receiverBind,
            waitsForOutbind: true,
            outbindSystemID: "SMSC"
        )
        var accepting = SMPPSession(configuration: configuration)
        _ = accepting.connectionOpened(now: now)
        #expect(
            accepting.received(outbindFrame(systemID: "SMSC", password: "secret"), now: now)
                == [.send(PDU(sequenceNumber: 1, body: .bind(Self.receiverBind)))]
        )
        var rejecting = SMPPSession(configuration: configuration)
        _ = rejecting.connectionOpened(now: now)
        #expect(rejecting.received(outbindFrame(systemID: "lifeline", password: "secret"), now: now).count == 2)
        #expect(rejecting.isClosed)
    }

    /// The comparison matches equal strings only, whatever their lengths.
    @Test(arguments: [
        ("secret", "secret", true), ("secret", "secreT", false), ("secret", "secret1", false),
        ("", "", true), ("", "a", false), ("pässwd", "pässwd", true), ("a\u{0}", "a", false),
    ])
    func constantTimeComparison(candidate: String, expected: String, equal: Bool) {
        #expect(ConstantTimeComparison.equal(candidate, expected) == equal)
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
        let outbind = outbindFrame(systemID: "SMSC", password: "secret")
        #expect(session.received(outbind, now: now) == [.outbindIgnored(smscSystemID: "SMSC")])
        #expect(session.isBound)
    }
}
