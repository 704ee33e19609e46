/// The `command_status` of an SMPP 3.4 response (section 5.1.3), with names and a failover class.
///
/// A struct so that vendor-specific codes (0x400 and up) still carry their value. Only the codes
/// this gateway acts on have names; the rest print as hex.
public struct CommandStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The failover table's class for a response with this status.
    public enum FailoverClass: String, Sendable, Equatable {
        /// `ESME_ROK`: the request succeeded.
        case ok
        /// A permanent error for this recipient or message (invalid destination, bad parameters).
        case recipientError = "recipient_error"
        /// The link cannot serve messages now: bind failures, system errors, not bound.
        case providerUnavailable = "provider_unavailable"
        /// The SMSC requests a slower rate: `ESME_RTHROTTLED`, `ESME_RMSGQFUL`.
        case throttled
        /// A code this module has no class for; callers treat it like a provider failure.
        case unknown
    }

    /// `ESME_ROK` (0x00): no error.
    public static let ok = CommandStatus(rawValue: 0x00)
    /// `ESME_RINVMSGLEN` (0x01): message length is invalid.
    public static let invalidMessageLength = CommandStatus(rawValue: 0x01)
    /// `ESME_RINVCMDLEN` (0x02): command length is invalid.
    public static let invalidCommandLength = CommandStatus(rawValue: 0x02)
    /// `ESME_RINVCMDID` (0x03): invalid command id.
    public static let invalidCommandID = CommandStatus(rawValue: 0x03)
    /// `ESME_RINVBNDSTS` (0x04): incorrect bind status for the given command.
    public static let invalidBindStatus = CommandStatus(rawValue: 0x04)
    /// `ESME_RALYBND` (0x05): already bound.
    public static let alreadyBound = CommandStatus(rawValue: 0x05)
    /// `ESME_RINVPRTFLG` (0x06): invalid priority flag.
    public static let invalidPriorityFlag = CommandStatus(rawValue: 0x06)
    /// `ESME_RINVREGDLVFLG` (0x07): invalid registered delivery flag.
    public static let invalidRegisteredDeliveryFlag = CommandStatus(rawValue: 0x07)
    /// `ESME_RSYSERR` (0x08): system error.
    public static let systemError = CommandStatus(rawValue: 0x08)
    /// `ESME_RINVSRCADR` (0x0A): invalid source address.
    public static let invalidSourceAddress = CommandStatus(rawValue: 0x0A)
    /// `ESME_RINVDSTADR` (0x0B): invalid destination address.
    public static let invalidDestinationAddress = CommandStatus(rawValue: 0x0B)
    /// `ESME_RINVMSGID` (0x0C): message id is invalid.
    public static let invalidMessageID = CommandStatus(rawValue: 0x0C)
    /// `ESME_RBINDFAIL` (0x0D): bind failed.
    public static let bindFailed = CommandStatus(rawValue: 0x0D)
    /// `ESME_RINVPASWD` (0x0E): invalid password.
    public static let invalidPassword = CommandStatus(rawValue: 0x0E)
    /// `ESME_RINVSYSID` (0x0F): invalid system id.
    public static let invalidSystemID = CommandStatus(rawValue: 0x0F)
    /// `ESME_RMSGQFUL` (0x14): message queue full.
    public static let messageQueueFull = CommandStatus(rawValue: 0x14)
    /// `ESME_RINVSERTYP` (0x15): invalid service type.
    public static let invalidServiceType = CommandStatus(rawValue: 0x15)
    /// `ESME_RINVESMCLASS` (0x43): invalid esm_class.
    public static let invalidESMClass = CommandStatus(rawValue: 0x43)
    /// `ESME_RSUBMITFAIL` (0x45): submit_sm failed.
    public static let submitFailed = CommandStatus(rawValue: 0x45)
    /// `ESME_RINVSRCTON` (0x48): invalid source address TON.
    public static let invalidSourceTON = CommandStatus(rawValue: 0x48)
    /// `ESME_RINVSRCNPI` (0x49): invalid source address NPI.
    public static let invalidSourceNPI = CommandStatus(rawValue: 0x49)
    /// `ESME_RINVDSTTON` (0x50): invalid destination address TON.
    public static let invalidDestinationTON = CommandStatus(rawValue: 0x50)
    /// `ESME_RINVDSTNPI` (0x51): invalid destination address NPI.
    public static let invalidDestinationNPI = CommandStatus(rawValue: 0x51)
    /// `ESME_RINVSYSTYP` (0x53): invalid system_type.
    public static let invalidSystemType = CommandStatus(rawValue: 0x53)
    /// `ESME_RTHROTTLED` (0x58): throttling error, the ESME exceeded its message rate.
    public static let throttled = CommandStatus(rawValue: 0x58)
    /// `ESME_RINVSCHED` (0x61): invalid scheduled delivery time.
    public static let invalidScheduledDeliveryTime = CommandStatus(rawValue: 0x61)
    /// `ESME_RINVEXPIRY` (0x62): invalid validity period.
    public static let invalidExpiry = CommandStatus(rawValue: 0x62)
    /// `ESME_RX_T_APPN` (0x64): the ESME receiver temporarily cannot handle the message.
    public static let receiverTemporaryError = CommandStatus(rawValue: 0x64)
    /// `ESME_RX_P_APPN` (0x65): the ESME receiver permanently rejects the message.
    public static let receiverPermanentError = CommandStatus(rawValue: 0x65)
    /// `ESME_RX_R_APPN` (0x66): the ESME receiver rejects the message.
    public static let receiverRejected = CommandStatus(rawValue: 0x66)
    /// `ESME_RINVOPTPARSTREAM` (0xC0): error in the optional part of the PDU body.
    public static let invalidOptionalParameterStream = CommandStatus(rawValue: 0xC0)
    /// `ESME_ROPTPARNOTALLWD` (0xC1): optional parameter not allowed.
    public static let optionalParameterNotAllowed = CommandStatus(rawValue: 0xC1)
    /// `ESME_RINVPARLEN` (0xC2): invalid parameter length.
    public static let invalidParameterLength = CommandStatus(rawValue: 0xC2)
    /// `ESME_RMISSINGOPTPARAM` (0xC3): expected optional parameter missing.
    public static let missingOptionalParameter = CommandStatus(rawValue: 0xC3)
    /// `ESME_RINVOPTPARAMVAL` (0xC4): invalid optional parameter value.
    public static let invalidOptionalParameterValue = CommandStatus(rawValue: 0xC4)
    /// `ESME_RDELIVERYFAILURE` (0xFE): delivery failure (used for data_sm_resp).
    public static let deliveryFailure = CommandStatus(rawValue: 0xFE)
    /// `ESME_RUNKNOWNERR` (0xFF): unknown error.
    public static let unknownError = CommandStatus(rawValue: 0xFF)

    private static let names: [UInt32: String] = [
        0x00: "ESME_ROK", 0x01: "ESME_RINVMSGLEN", 0x02: "ESME_RINVCMDLEN", 0x03: "ESME_RINVCMDID",
        0x04: "ESME_RINVBNDSTS", 0x05: "ESME_RALYBND", 0x06: "ESME_RINVPRTFLG", 0x07: "ESME_RINVREGDLVFLG",
        0x08: "ESME_RSYSERR", 0x0A: "ESME_RINVSRCADR", 0x0B: "ESME_RINVDSTADR", 0x0C: "ESME_RINVMSGID",
        0x0D: "ESME_RBINDFAIL", 0x0E: "ESME_RINVPASWD", 0x0F: "ESME_RINVSYSID", 0x14: "ESME_RMSGQFUL",
        0x15: "ESME_RINVSERTYP", 0x43: "ESME_RINVESMCLASS", 0x45: "ESME_RSUBMITFAIL", 0x48: "ESME_RINVSRCTON",
        0x49: "ESME_RINVSRCNPI", 0x50: "ESME_RINVDSTTON", 0x51: "ESME_RINVDSTNPI", 0x53: "ESME_RINVSYSTYP",
        0x58: "ESME_RTHROTTLED", 0x61: "ESME_RINVSCHED", 0x62: "ESME_RINVEXPIRY", 0x64: "ESME_RX_T_APPN",
        0x65: "ESME_RX_P_APPN", 0x66: "ESME_RX_R_APPN", 0xC0: "ESME_RINVOPTPARSTREAM",
        0xC1: "ESME_ROPTPARNOTALLWD", 0xC2: "ESME_RINVPARLEN", 0xC3: "ESME_RMISSINGOPTPARAM",
        0xC4: "ESME_RINVOPTPARAMVAL", 0xFE: "ESME_RDELIVERYFAILURE", 0xFF: "ESME_RUNKNOWNERR",
    ]

    /// The spec's name, for example `ESME_RTHROTTLED`, or `nil` for a code without one.
    public var name: String? { Self.names[rawValue] }

    /// `0x00000058 ESME_RTHROTTLED`, or the hex code alone when it has no name.
    public var description: String {
        let code = "0x" + hex8(rawValue)
        guard let name else { return code }
        return code + " " + name
    }

    /// Whether a bind response with this status rejected the credentials. No retry fixes that
    /// until an operator changes the configuration.
    public var isCredentialsError: Bool {
        self == .invalidPassword || self == .invalidSystemID || self == .invalidSystemType
    }

    /// The failover class of a `submit_sm_resp` or `generic_nack` with this status.
    ///
    /// Address, TON/NPI and content errors are recipient errors: another provider would reject
    /// the same message. Bind, system and command-level errors mean the link is unusable.
    public var failoverClass: FailoverClass {
        switch self {
        case .ok:
            .ok
        case .throttled, .messageQueueFull:
            .throttled
        case .invalidDestinationAddress, .invalidDestinationTON, .invalidDestinationNPI,
            .invalidMessageLength, .invalidESMClass, .invalidScheduledDeliveryTime, .invalidExpiry,
            .receiverPermanentError, .receiverRejected:
            .recipientError
        case .invalidCommandLength, .invalidCommandID, .invalidBindStatus, .alreadyBound, .systemError,
            .bindFailed, .invalidPassword, .invalidSystemID, .invalidSystemType, .invalidSourceAddress,
            .invalidSourceTON, .invalidSourceNPI, .invalidServiceType, .submitFailed, .receiverTemporaryError,
            .invalidOptionalParameterStream, .optionalParameterNotAllowed, .invalidParameterLength,
            .missingOptionalParameter, .invalidOptionalParameterValue, .invalidPriorityFlag,
            .invalidRegisteredDeliveryFlag:
            .providerUnavailable
        default:
            .unknown
        }
    }
}
