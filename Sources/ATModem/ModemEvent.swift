/// Something the modem reported on its own, as delivered by `ModemSession.events`.
public enum ModemEvent: Sendable, Hashable {
    /// A status report PDU for a message sent earlier; decode it with the SMS codec.
    case statusReport(ModemStatusReport)
    /// A new message was stored at `index` of `storage` (`+CMTI`).
    case inboundMessageStored(storage: String, index: Int)
    /// A new message was delivered straight to the host (`+CMT`): the PDU in hex and its TPDU length.
    case inboundMessage(pduHex: String, tpduLength: Int?)
    /// The modem stopped responding or its port failed, so recovery runs before the next command.
    case modemLost(reason: String)
    /// Recovery brought the modem back by `step`.
    case modemRecovered(step: ModemRecovery)
    /// Recovery gave up: the modem is marked down.
    case modemDown(reason: String)
}

/// A raw status report as the modem gave it.
public struct ModemStatusReport: Sendable, Hashable {
    /// The origin of a report.
    public enum Source: Sendable, Hashable {
        /// An unsolicited `+CDS`.
        case unsolicited
        /// Read with `AT+CMGR` after `+CDSI`, from `storage` at `index` (deleted afterwards).
        case storage(String, index: Int)
    }

    /// The PDU in upper-case hex, starting with the SMSC field.
    public var pduHex: String
    /// The TPDU length in octets, without the SMSC field.
    public var tpduLength: Int
    public var source: Source

    public init(pduHex: String, tpduLength: Int, source: Source) {
        self.pduHex = pduHex
        self.tpduLength = tpduLength
        self.source = source
    }
}

/// How far recovery had to go.
public enum ModemRecovery: String, Sendable, Hashable {
    /// The modem responded to `AT`. Nothing was done, or only the initialisation was repeated.
    case responsive
    /// Closing and reopening the port brought it back.
    case reopened
    /// The reset command (`AT+CFUN=1,1` by default) brought it back.
    case reset
    /// Nothing helped; the modem is marked down.
    case down
}
