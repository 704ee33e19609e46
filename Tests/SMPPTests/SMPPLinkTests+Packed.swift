import Foundation
import SMPP
import SMSCodec
import Simulators
import Testing

extension SMPPLinkTests {
    /// On a link set to packed GSM 7-bit, inbound SMS the simulator sends packed, single and in
    /// UDH parts with fill bits, arrive as the text sent; UCS-2 text is not touched.
    @Test(arguments: [
        "HELP",
        "Fire drill @ 10:00, meet at {gate} B",
        String(repeating: "Packed parts after a header start on a septet boundary. ", count: 5),
        String(repeating: "Пожар в корпусе B. ", count: 5),
    ])
    func packedInboundIsUnpacked(text: String) async throws {
        let harness = try await makeHarness(packsGSM: true)
        try await harness.simulator.sendInboundText(text, from: "447700900123", to: "60123", packsGSM: true, reference: 7)
        let event = await harness.events.next { if case .inboundSMS = $0 { true } else { false } }
        guard case .inboundSMS(let message, _)? = event else {
            Issue.record("no inbound SMS")
            return await harness.stop()
        }
        let plan = try SegmentPlanner.plan(text)
        #expect(message.text == text)
        #expect(message.partCount == plan.segments.count)
        await harness.stop()
    }

    /// The same packed octets on a link left at the default (unpacked) are read one septet per
    /// octet, so the text differs: the setting is what tells them apart.
    @Test func packedInboundNeedsTheSetting() async throws {
        let harness = try await makeHarness()
        try await harness.simulator.sendInboundText("hellohello", from: "447700900123", to: "60123", packsGSM: true)
        let event = await harness.events.next { if case .inboundSMS = $0 { true } else { false } }
        guard case .inboundSMS(let message, _)? = event else {
            Issue.record("no inbound SMS")
            return await harness.stop()
        }
        #expect(message.text != "hellohello")
        #expect(message.payload == SeptetPacking.pack(try GSMAlphabet.encode("hellohello")))
        await harness.stop()
    }
}
