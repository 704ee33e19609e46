/// The rule for matching one link's receipt ids with its `submit_sm_resp` ids.
///
/// Many SMSCs write the same id in both places. Some return a hex id in `submit_sm_resp` and
/// write it in decimal in the receipt, or the reverse. The client turns both into one key with
/// `key(forSubmitResponseID:)` and `key(forReceiptID:)`.
public struct MessageIDMatching: Equatable, Sendable {
    /// The notation one side uses for the id.
    public enum Form: String, Equatable, Sendable {
        /// Compared as written, leading zeros kept (`0512345678` stays `0512345678`).
        case asIs = "as-is"
        /// A hexadecimal number; the key is its value in decimal.
        case hexadecimal = "hex"
        /// A decimal number; the key is its value in decimal without leading zeros.
        case decimal
    }

    /// The notation of `message_id` in `submit_sm_resp`.
    public var submitResponse: Form
    /// The notation of `id:` and `receipted_message_id` in receipts.
    public var receipt: Form

    public init(submitResponse: Form, receipt: Form) {
        self.submitResponse = submitResponse
        self.receipt = receipt
    }

    /// Both sides compared as written: the default.
    public static let asIs = MessageIDMatching(submitResponse: .asIs, receipt: .asIs)

    /// Returns the matching key of an id from `submit_sm_resp`.
    public func key(forSubmitResponseID id: String) -> String {
        Self.key(id, form: submitResponse)
    }

    /// Returns the matching key of an id from a receipt.
    public func key(forReceiptID id: String) -> String {
        Self.key(id, form: receipt)
    }

    /// Ids that do not parse in their declared form are kept as written (hex ones in lowercase),
    /// so a mismatch shows up as an unmatched receipt rather than as a wrong match.
    // NOTE: numbers above 64 bits (32-digit hex ids) match only when both sides use the same form.
    private static func key(_ id: String, form: Form) -> String {
        switch form {
        case .asIs:
            id
        case .hexadecimal:
            UInt64(id, radix: 16).map { String($0) } ?? id.lowercased()
        case .decimal:
            UInt64(id, radix: 10).map { String($0) } ?? id
        }
    }
}
