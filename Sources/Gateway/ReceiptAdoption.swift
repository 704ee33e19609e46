import Store

/// What a delivery receipt adopted for an unresolved attempt (`ReceiptMatcher`) does to the
/// attempt's message, through the ordinary delivery states.
///
/// The attempt itself becomes `accepted` with the receipt's id whatever the message's state, so
/// later receipts for that id find the message directly. The message:
///
/// | receipt | message now | becomes |
/// |---|---|---|
/// | delivered | `unknown`, `queued`, `sent`, `undelivered` | `delivered` |
/// | delivered | `failed` | `delivered`: the only change of a final state, because the handset has the message whatever the later attempts said |
/// | undelivered | `unknown` | `undelivered`, then re-routed to the providers after this one as after any undelivered receipt |
/// | pending | `unknown` | `sent`, awaiting its final receipt |
/// | any | `sending` | unchanged: another attempt is in flight and its outcome will be stored over any change |
/// | any other | | unchanged |
///
/// A `queued` message (re-queued for the next provider) that turns out delivered is not sent
/// again. `expired` and `cancelled` stay as they are: nothing claims such messages, and the
/// operator's cancellation or the deadline is kept.
public enum ReceiptAdoption {
    /// The start of every event reason and attempt detail an adoption writes.
    public static let reason = "receipt matched an attempt whose submit_sm_resp was not recorded"

    /// Returns the transition for `message` after a receipt with `status`, or `nil` to leave it.
    public static func transition(
        for status: DeliveryReport.Status,
        message: MessageRecord,
        providerID: String,
        providerMessageID: String,
        receiptReason: String?
    ) -> Transition? {
        let state: MessageState
        switch (status, message.state) {
        case (.delivered, .unknown), (.delivered, .queued), (.delivered, .sent), (.delivered, .undelivered),
            (.delivered, .failed):
            state = .delivered
        case (.undelivered, .unknown):
            state = .undelivered
        case (.pending, .unknown):
            state = .sent
        default:
            return nil
        }
        return Transition(
            to: state,
            providerID: providerID,
            providerMessageID: providerMessageID,
            reason: detail(receiptReason)
        )
    }

    /// The event reason and attempt detail for a receipt's own words.
    public static func detail(_ receiptReason: String?) -> String {
        receiptReason.map { "\(reason) (\($0))" } ?? reason
    }
}
