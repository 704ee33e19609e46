/// The class of one attempt's result, as the failover table defines it. Stored in `sms_attempts.outcome`.
public enum AttemptOutcome: String, Sendable, CaseIterable, Codable {
    /// The provider took the message and gave it an id: `HTTP 201`, `submit_sm_resp` OK, `+CMGS: ref`.
    case accepted
    /// A permanent error for this recipient: invalid number, barred destination.
    case recipientError = "recipient_error"
    /// The provider cannot take messages now: refused, DNS or TLS failure, 5xx, not bound, no network.
    case unavailable
    /// The provider asked to slow down: HTTP 429, `ESME_RTHROTTLED`, `ESME_RMSGQFUL`.
    case throttled
    /// The request left and no answer came; the message may or may not have been sent.
    case ambiguous
    /// Once `ambiguous`, then taken as never received: the provider sends delivery receipts, and
    /// none came by the end of the message's wait for one (`MessageRecord.notBefore` of an
    /// `unknown` message). Like `unavailable`, it excludes nothing, so the provider may be tried
    /// again.
    case notReceived = "not_received"
}
