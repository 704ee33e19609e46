/// The delivery state of a message according to a provider's status callback or receipt.
///
/// The raw values match the gateway's delivery report statuses.
public enum CloudDeliveryStatus: String, Sendable, Equatable {
    /// The handset received the message. Final.
    case delivered
    /// The provider gave up on the message. Final.
    case undelivered
    /// Not final yet: queued, sent to the carrier, and similar.
    case pending
}
