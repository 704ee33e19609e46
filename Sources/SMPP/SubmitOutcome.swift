/// The result of one `submit_sm`, as the failover table needs it.
public enum SubmitOutcome: Equatable, Sendable {
    /// `submit_sm_resp` with `ESME_ROK`. `messageID` is as the SMSC wrote it; `messageIDKey` is
    /// the link's matching key (see `MessageIDMatching`), which receipts carry too.
    case accepted(messageID: String, messageIDKey: String)
    /// `submit_sm_resp` or `generic_nack` with an error status. `status.failoverClass` gives the failover class.
    case rejected(CommandStatus)
    /// The request was sent and no response came, so the SMSC may or may not have taken it.
    case ambiguous(AmbiguityReason)

    /// The reason a submit's result is unknown.
    public enum AmbiguityReason: Equatable, Sendable, CustomStringConvertible {
        /// No response within the link's response timeout.
        case responseTimeout
        /// The link went down while the submit was in the window.
        case linkDown(LinkDownReason)
        /// A response came that could not be decoded.
        case malformedResponse(PDUDecodingError)

        public var description: String {
            switch self {
            case .responseTimeout: "no submit_sm_resp within the response timeout"
            case .linkDown(let reason): "link down with the submit in the window: \(reason)"
            case .malformedResponse(let error): "malformed submit_sm_resp: \(error)"
            }
        }
    }
}
