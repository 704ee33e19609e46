import Foundation
import Store

/// Finds the attempt a delivery receipt belongs to when the receipt's provider message id
/// matches none recorded: the attempt's response (an SMPP `submit_sm_resp`) was lost, so the
/// store never learnt the id the receipt carries.
///
/// A receipt names its handset (an SMPP receipt's `source_addr`, the original destination) and
/// often the message's first 20 characters (`text:`). The candidates are the provider's attempts
/// to that handset whose id is not known (`MessageStore.unresolvedAttempts`). Those that the
/// handset and, when the receipt has it, the text fit are counted:
///
/// - exactly one, and it is `ambiguous`: the receipt is adopted for it;
/// - exactly one, still in flight: its response may still be recorded, so the receipt waits;
/// - none: the receipt is for something else;
/// - two or more: adopting either would be a guess (a broadcast sends one text to many, and an
///   operator may send the same text to one handset twice), and a wrong guess would mark a
///   message delivered that was not, so the receipt is left alone.
///
/// The receipt's `destination_addr` (the original source) is not compared: every message of one
/// link goes out from the link's one source, so it cannot tell candidates apart, and attempts
/// do not record it. A receipt without a handset is never matched.
public enum ReceiptMatcher {
    /// The result of matching one receipt against its candidates.
    public enum Match: Sendable, Equatable {
        /// The one fitting candidate is an `ambiguous` attempt: adopt the receipt for it.
        case one(UnresolvedAttempt)
        /// The one fitting candidate has no outcome yet: wait for its response or for it to be
        /// marked ambiguous.
        case inFlight(UnresolvedAttempt)
        /// No candidate fits.
        case none
        /// Several candidates fit, so the receipt stays unmatched.
        case several(count: Int)
    }

    /// Returns the match for a receipt naming `recipient` and `textPrefix` among `candidates`.
    ///
    /// - Parameters:
    ///   - recipient: the receipt's handset address in any form the SMSC writes (`447700900123`,
    ///     `+447700900123`); compared by digits with each message's E.164 recipient.
    ///   - textPrefix: the receipt's `text:` field; `nil` or blank when absent, and then only the
    ///     handset is compared.
    public static func match(
        recipient: String?,
        textPrefix: String?,
        among candidates: [UnresolvedAttempt]
    ) -> Match {
        guard let recipient, let handset = digits(recipient) else { return .none }
        let prefix = textPrefix.map(comparable) ?? ""
        let fitting = candidates.filter { candidate in
            digits(candidate.message.recipient) == handset
                && (prefix.isEmpty || comparable(candidate.message.text).hasPrefix(prefix))
                && (candidate.attempt.outcome == .ambiguous || candidate.attempt.outcome == nil)
                && candidate.attempt.providerMessageID == nil
        }
        guard fitting.count == 1, let only = fitting.first else {
            return fitting.isEmpty ? .none : .several(count: fitting.count)
        }
        return only.attempt.outcome == nil ? .inFlight(only) : .one(only)
    }

    /// Returns the E.164 form (`+` and digits) of a receipt's address, or `nil` when it contains no
    /// digits or anything but digits after an optional `+`. Store lookups use this form.
    public static func e164(_ address: String) -> String? {
        digits(address).map { "+" + $0 }
    }

    private static func digits(_ address: String) -> String? {
        var text = Substring(address.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("+") { text = text.dropFirst() }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(text)
    }

    /// The text as receipts can be compared with it: printable ASCII other than spaces only.
    ///
    /// SMSCs differ in how they write `text:` (raw GSM octets, some characters dropped or
    /// replaced, spaces trimmed), so both sides keep only what every SMSC writes the same way. A
    /// replaced character still differs, and such a receipt is not matched.
    private static func comparable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F }))
    }
}
