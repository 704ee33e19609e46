import Foundation
import SMPP
import Testing

/// The ESME client against an independent SMSC: smpp.twisted3 in Tests/Peers/smsc_twisted.py.
@Suite(.timeLimit(.minutes(1)))
struct TwistedSMSCTests {
    /// Starts smsc_twisted.py, which exits after 60 s at the latest or when its stdin closes.
    private static func startPeer() async throws -> PeerProcess {
        try await PeerProcess.startPython("smsc_twisted.py", arguments: ["--port", "0", "--lifetime", "60"])
    }

    /// bind_transceiver succeeds, a submit gets the peer's message id, and its receipt arrives as an event.
    @Test func bindSubmitReceipt() async throws {
        let peer = try await Self.startPeer()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: peer.port,
            systemID: "lifeline",
            password: "secret",
            bindMode: .transceiver,
            sourceAddress: "Lifeline",
            sourceAddressTON: 5,
            registeredDelivery: 1
        )
        let client = try ESMEClient(settings: settings, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()

        let bound = await events.next { if case .bound = $0 { true } else { false } }
        #expect(bound == .bound(smscSystemID: "lifeline", mode: .transceiver))

        let submit = settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Twisted test".utf8))
        let outcome = try await client.submit(submit)
        #expect(outcome == .accepted(messageID: "TW000001", messageIDKey: "TW000001"))

        let event = await events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let receipt, let key, _)? = event else {
            Issue.record("no receipt from the peer")
            await client.stop()
            await peer.stop()
            return
        }
        #expect(key == "TW000001")
        #expect(receipt.status == .delivered)
        #expect(receipt.messageState == .delivered)
        #expect(receipt.text == "Twisted test")

        await client.stop()
        let down = await events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.unbound))
        await peer.stop()
    }

    /// The peer decodes and accepts every part of a long text sent with SAR parameters and with
    /// message_payload, so the optional parameters are encoded as another implementation expects.
    @Test(arguments: [LongMessageMode.sar, .payload]) func longMessageParameters(_ mode: LongMessageMode) async throws {
        let peer = try await Self.startPeer()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: peer.port,
            systemID: "lifeline",
            password: "secret",
            registeredDelivery: 0,
            longMessages: mode
        )
        let client = try ESMEClient(settings: settings, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        _ = await events.next { if case .bound = $0 { true } else { false } }

        let text = String(repeating: "Gas leak reported near the library. ", count: 6)
        let submits = try settings.makeSubmits(destination: "447700900123", text: text, reference: 513)
        #expect(submits.count == (mode == .sar ? 2 : 1))
        for submit in submits {
            let outcome = try await client.submit(submit)
            guard case .accepted = outcome else {
                Issue.record("the peer did not accept a \(mode) part: \(outcome)")
                break
            }
        }
        await client.stop()
        await peer.stop()
    }

    /// The peer's error bind_resp for a wrong password reads as ESME_RINVPASWD.
    @Test func wrongPasswordRejected() async throws {
        let peer = try await Self.startPeer()
        let settings = SMPPLinkSettings(host: "127.0.0.1", port: peer.port, systemID: "lifeline", password: "wrong")
        let client = try ESMEClient(settings: settings, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        let down = await events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.bindRejected(.invalidPassword)))
        await client.stop()
        await peer.stop()
    }
}
