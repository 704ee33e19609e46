/// A report from an `ESMEClient` about its link, delivered in order on its `events` stream.
public enum SMPPLinkEvent: Equatable, Sendable {
    /// The bind succeeded; submits are accepted from now on.
    case bound(smscSystemID: String, mode: BindMode)
    /// The link is not usable any more (or could not be made); submits fail with `notBound` until
    /// the next `bound`. A refused bind comes as `.bindRejected(status)`.
    case linkDown(LinkDownReason)
    /// The separate receiver of a transmitter and receiver pair went down or failed to bind.
    /// Submits are not affected, but receipts and inbound SMS stop until it binds again, which it
    /// does on its own with the link's backoff. Each failed attempt is reported.
    case receiverSessionDown(LinkDownReason)
    /// A session the SMSC opened with `outbind` ended; the SMSC outbinds again when it needs to.
    case outbindSessionDown(LinkDownReason)
    /// The client will try again after `delay`; `attempt` counts consecutive failures from 1.
    case reconnectScheduled(delay: Duration, attempt: Int)
    /// A delivery receipt; `messageIDKey` matches the `messageIDKey` of the accepted submit.
    /// `responder` owes its `deliver_sm_resp` when the link defers it (`defersDeliverResponse`).
    case deliveryReceipt(DeliveryReceipt, messageIDKey: String, responder: DeliverSMResponder = .answered)
    /// A `deliver_sm` marked as a receipt whose text and TLVs name no message.
    case unreadableReceipt(DeliverSM, DeliveryReceiptError)
    /// One `deliver_sm` of an inbound SMS (mobile originated), as it came: possibly one part of a
    /// long message; `shortMessage` is encoded per `dataCoding`. `SMPPLink` turns these into `inboundSMS`.
    case inboundMessage(DeliverSM, responder: DeliverSMResponder = .answered)
    /// A complete inbound SMS, its parts joined; only `SMPPLink` reports these. `responder` owes
    /// the `deliver_sm_resp` of the part that completed it when the link defers responses; the
    /// earlier parts were answered when they were kept.
    case inboundSMS(InboundSMS, responder: DeliverSMResponder = .answered)
    /// The SMSC sent `outbind` where none was expected (on a connection this side opened), and
    /// it was ignored. To accept outbinds, give the link a port to listen on.
    case outbindIgnored(smscSystemID: String)
    /// An `outbind` on the outbind port carried a `system_id` or password other than the link's,
    /// so its connection was closed without a bind. `peer` is the remote address and port, and
    /// `smscSystemID` the `system_id` it sent. The password it sent is never reported.
    case outbindRejected(peer: String, smscSystemID: String, reason: String)
}
