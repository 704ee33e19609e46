/// A reason `ESMEClient.submit(_:)` did not send a submit at all.
///
/// A submit that was sent and got no response is not an error: it returns `SubmitOutcome.ambiguous`.
public enum SMPPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The link is not bound (connecting, down, bound as a receiver, stopped); `reason` is why it
    /// went down last, when known. Thrown at once so the caller can fail over.
    case notBound(reason: LinkDownReason?)
    /// The submit breaks SMPP 3.4's limits and was not sent.
    case invalidSubmit(SubmitSMError)

    public var description: String {
        switch self {
        case .notBound(let reason?): "SMPP link not bound (\(reason))"
        case .notBound(nil): "SMPP link not bound yet"
        case .invalidSubmit(let error): "invalid submit_sm: \(error)"
        }
    }
}
