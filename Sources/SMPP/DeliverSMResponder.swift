/// The `deliver_sm_resp` owed for one `deliver_sm`, for a session that answers only after the
/// owner has handled what it carried (`SMPPLinkSettings.defersDeliverResponse`).
///
/// Call `respond(_:)` once: `.ok` after the receipt or inbound SMS is stored, an error such as
/// `CommandStatus.receiverTemporaryError` (`ESME_RX_T_APPN`) when storing failed, so the SMSC
/// sends it again. Later calls do nothing. If the session has closed meanwhile, nothing is sent:
/// the SMSC holds an unanswered `deliver_sm` and sends it again on the next session bound with the
/// same `system_id`. Responders always compare equal, so events that carry one compare by their
/// contents alone.
public struct DeliverSMResponder: Sendable, Equatable {
    private let answer: (@Sendable (CommandStatus) -> Void)?

    /// A responder with nothing to answer: the `deliver_sm_resp` went out when the PDU arrived.
    public static let answered = DeliverSMResponder(answer: nil)

    /// Makes a responder that calls `answer` with the status to send.
    public init(answer: (@Sendable (CommandStatus) -> Void)?) {
        self.answer = answer
    }

    /// Whether a `deliver_sm_resp` is still owed through this responder.
    public var owesResponse: Bool { answer != nil }

    /// Sends the `deliver_sm_resp` with `status`.
    public func respond(_ status: CommandStatus) {
        answer?(status)
    }

    public static func == (lhs: DeliverSMResponder, rhs: DeliverSMResponder) -> Bool { true }
}
