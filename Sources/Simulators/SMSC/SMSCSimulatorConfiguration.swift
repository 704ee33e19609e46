import SMPP

/// The starting behaviour of an `SMSCSimulator`; fault knobs change it while it runs.
public struct SMSCSimulatorConfiguration: Equatable, Sendable {
    /// The `system_id` a bind must carry.
    public var systemID: String
    /// The password a bind must carry; a wrong one gets `ESME_RINVPASWD`.
    public var password: String
    /// The SMSC's own `system_id`, sent in `bind_resp`.
    public var smscSystemID: String
    /// The id of the first accepted submit; later ones count up by one.
    public var firstMessageID: Int
    /// How long after a submit its receipt is sent.
    public var receiptDelay: Duration
    /// The final state receipts report.
    public var receiptState: SMPPMessageState
    /// Whether receipts are sent at all (only for submits with `registered_delivery` bit 0 or 1 set).
    public var sendsReceipts: Bool
    /// How long every `submit_sm_resp` is held back.
    public var responseDelay: Duration
    /// The maximum number of receipts kept for `system_id`s with no receiver bound. Beyond it the
    /// oldest is dropped, as a carrier's SMSC drops receipts it cannot keep.
    public var maxHeldReceipts: Int
    /// How long after a `deliver_sm_resp` with `ESME_RX_T_APPN` the receipt is sent again.
    public var deliverRetryDelay: Duration

    public init(
        systemID: String = "lifeline",
        password: String = "secret",
        smscSystemID: String = "SMSCSIM",
        firstMessageID: Int = 1,
        receiptDelay: Duration = .milliseconds(20),
        receiptState: SMPPMessageState = .delivered,
        sendsReceipts: Bool = true,
        responseDelay: Duration = .zero,
        maxHeldReceipts: Int = 10_000,
        deliverRetryDelay: Duration = .milliseconds(200)
    ) {
        self.systemID = systemID
        self.password = password
        self.smscSystemID = smscSystemID
        self.firstMessageID = firstMessageID
        self.receiptDelay = receiptDelay
        self.receiptState = receiptState
        self.sendsReceipts = sendsReceipts
        self.responseDelay = responseDelay
        self.maxHeldReceipts = max(0, maxHeldReceipts)
        self.deliverRetryDelay = deliverRetryDelay
    }
}
