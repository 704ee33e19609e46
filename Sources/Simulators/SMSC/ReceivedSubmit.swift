import SMPP

/// One `submit_sm` the simulator received, with its response.
public struct ReceivedSubmit: Equatable, Sendable {
    /// The number of the connection it came on, counting from 1.
    public var connectionNumber: Int
    /// The `system_id` the connection bound with; empty when it was not bound.
    public var systemID: String
    /// The request's `sequence_number`.
    public var sequenceNumber: UInt32
    /// The request as decoded.
    public var submitSM: SubmitSM
    /// The response status, or `nil` when the simulator sent no response (a fault knob).
    public var responseStatus: CommandStatus?
    /// The message id sent with `ESME_ROK`.
    public var messageID: String?
}
