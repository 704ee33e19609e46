import Config
import Diagnostics
import Foundation
import Testing

@testable import Gateway

/// The `submit_sm` PDUs an SMPP provider builds for a message.
@Suite struct SMPPProviderSubmitTests {
    private func provider() throws -> SMPPProvider {
        let settings = SMPPSettings(host: "127.0.0.1", systemID: "lifeline", password: Secret("secret"))
        return try SMPPProvider(id: "carrier", settings: settings, logger: Logger(label: "test", level: .critical))
    }

    private func message(_ id: Int64, to recipient: String, _ text: String) -> OutboundSMS {
        OutboundSMS(messageID: id, attempt: 1, recipient: recipient, text: text, priority: .bulk)
    }

    /// One text sent to several recipients gives each its own destination and the same short message.
    @Test func sameTextKeepsEachDestination() throws {
        let smpp = try provider()
        let first = try smpp.makeSubmits(for: message(1, to: "+447700900001", "Evacuate Hall B now."))
        let second = try smpp.makeSubmits(for: message(2, to: "+447700900002", "Evacuate Hall B now."))
        #expect(first.count == 1)
        #expect(second.count == 1)
        #expect(first[0].destinationAddress == "447700900001")
        #expect(second[0].destinationAddress == "447700900002")
        #expect(second[0].shortMessage == first[0].shortMessage)
        #expect(second[0].esmClass == 0x00)
    }

    /// After a short text, a different text is encoded afresh, and a long one still gets its
    /// concatenation headers.
    @Test func newTextIsEncodedAfresh() throws {
        let smpp = try provider()
        let short = try smpp.makeSubmits(for: message(1, to: "+447700900001", "Drill at 10:00."))
        let other = try smpp.makeSubmits(for: message(2, to: "+447700900001", "Drill cancelled."))
        #expect(other[0].shortMessage != short[0].shortMessage)
        #expect(other[0].shortMessage.count == "Drill cancelled.".count)

        let long = String(repeating: "Assemble in Hall B. ", count: 12)
        let parts = try smpp.makeSubmits(for: message(3, to: "+447700900001", long))
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.esmClass == 0x40 })
        let again = try smpp.makeSubmits(for: message(4, to: "+447700900002", long))
        #expect(again.count == 2)
    }
}
