import Foundation
import SMPP
import Store

extension InboundMessage {
    /// Converts an SMS received on an SMPP link into the stored form.
    ///
    /// A sender with TON 1 (international) gets its `+`; other senders (national numbers,
    /// alphanumeric names) are kept as the SMSC wrote them. A payload that did not decode to text
    /// (8-bit data) is kept as hex after the marker `8-bit data:`, so nothing received is dropped.
    init(_ sms: InboundSMS, providerID: String) {
        let sender = sms.senderTON == 1 && !sms.sender.hasPrefix("+") ? "+" + sms.sender : sms.sender
        let text = sms.text ?? "8-bit data: " + sms.payload.map { String(format: "%02x", $0) }.joined()
        self.init(receivedAt: sms.receivedAt, providerID: providerID, sender: sender, text: text, parts: sms.partCount)
    }
}
