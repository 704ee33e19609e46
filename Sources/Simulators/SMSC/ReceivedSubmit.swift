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

/// A message the simulator put together from its submits, as a carrier's SMSC would before delivery.
public struct ReassembledMessage: Equatable, Sendable {
    /// `destination_addr` of its submits.
    public var destination: String
    /// The form that tied its parts together; `nil` for a single SMS.
    public var form: LongMessageMode?
    /// The text, decoded per `data_coding` (GSM 7-bit read one septet per octet); `nil` for 8-bit data.
    public var text: String?
    /// How many submits carried it.
    public var partCount: Int
    /// The message ids the simulator gave its submits, in arrival order.
    public var messageIDs: [String]
}
