import Diagnostics
import Store
import Testing

@testable import Gateway

@Suite struct TransliteratingProviderTests {
    /// Curly quotes and dashes reach the wrapped provider as their GSM forms; other fields are unchanged.
    @Test func replacesNonGSMCharacters() async {
        let base = ScriptedProvider(id: "modem-1", script: [.accepted(providerMessageID: "7")])
        let provider = TransliteratingProvider(wrapping: base, logger: .disabled)
        let outcome = await provider.send(
            OutboundSMS(messageID: 3, attempt: 1, recipient: "+447700900123", text: "“Hall B” – now", priority: .high)
        )
        let calls = await base.calls
        #expect(outcome == .accepted(providerMessageID: "7"))
        #expect(calls.count == 1)
        #expect(calls.first?.text == "\"Hall B\" - now")
        #expect(calls.first?.messageID == 3)
        #expect(provider.id == "modem-1")
    }

    /// A text already in GSM 7-bit is passed through untouched.
    @Test func leavesGSMTextAlone() async {
        let base = ScriptedProvider(id: "carrier", script: [.accepted(providerMessageID: "1")])
        let provider = TransliteratingProvider(wrapping: base, logger: .disabled)
        _ = await provider.send(OutboundSMS(messageID: 1, attempt: 1, recipient: "+447700900123", text: "Tix: £12 {VIP}", priority: .normal))
        #expect(await base.calls.first?.text == "Tix: £12 {VIP}")
    }
}
