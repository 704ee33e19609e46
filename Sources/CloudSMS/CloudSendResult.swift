/// The classified result of one send to a cloud provider, as in the failover table.
///
/// Reasons never hold credentials or a full phone number; numbers a provider quotes back are masked.
public enum CloudSendResult: Sendable, Equatable {
    /// The provider took the message; `id` is its message id (Twilio's `SM…` sid), which later
    /// status callbacks carry.
    case accepted(id: String)
    /// A permanent error for this recipient (invalid, unreachable, unsubscribed); `code` is the
    /// provider's error code as text.
    case recipientError(code: String, message: String)
    /// The provider cannot take messages now: no connection, TLS failure, credentials rejected,
    /// HTTP 5xx, or a request it refused for a reason that is not the recipient's.
    case unavailable(reason: String)
    /// The provider asked to slow down; `retryAfter` is its `Retry-After` hint when it sent one.
    case throttled(retryAfter: Duration?, reason: String)
    /// The request may have reached the provider and no usable response arrived: a timeout after
    /// sending, a broken connection, or a success status without a message id.
    case ambiguous(reason: String)
}
