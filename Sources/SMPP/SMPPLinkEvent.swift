/// A report from an `ESMEClient` about its link, delivered in order on its `events` stream.
public enum SMPPLinkEvent: Equatable, Sendable {
    /// The bind succeeded; submits are accepted from now on.
    case bound(smscSystemID: String, mode: BindMode)
    /// The link is not usable any more (or could not be made); submits fail with `notBound` until
    /// the next `bound`. A refused bind comes as `.bindRejected(status)`.
    case linkDown(LinkDownReason)
    /// The client will try again after `delay`; `attempt` counts consecutive failures from 1.
    case reconnectScheduled(delay: Duration, attempt: Int)
    /// A delivery receipt; `messageIDKey` matches the `messageIDKey` of the accepted submit.
    case deliveryReceipt(DeliveryReceipt, messageIDKey: String)
    /// A `deliver_sm` marked as a receipt whose text and TLVs name no message.
    case unreadableReceipt(DeliverSM, DeliveryReceiptError)
    /// An inbound SMS (mobile originated); `shortMessage` is encoded per `dataCoding`.
    case inboundMessage(DeliverSM)
}
