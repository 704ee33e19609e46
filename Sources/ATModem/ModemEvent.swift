/// Something the modem reported on its own, as delivered by `ModemSession.events`.
public enum ModemEvent: Sendable, Hashable {
    /// A status report PDU for a message sent earlier; decode it with the SMS codec.
    case statusReport(ModemStatusReport)
    /// A received message (SMS-DELIVER PDU, one part of a concatenated message or all of a
    /// single one), delivered straight to the host (`+CMT`) or read from storage after `+CMTI`
    /// or at start-up. A stored one stays on the modem until the consumer has kept it and calls
    /// `ModemSession.deleteStored(index:memory:)`. Decode it with the SMS codec.
    case inboundMessage(ModemInboundPDU)
    /// The modem stopped responding or its port failed, so recovery runs before the next command.
    case modemLost(reason: String)
    /// Recovery brought the modem back by `step`.
    case modemRecovered(step: ModemRecovery)
    /// Recovery gave up: the modem is marked down.
    case modemDown(reason: String)
    /// A modem bound by identity was found on `path`, the first time or on another path than before
    /// (replugged, or renumbered by a reset).
    case portFound(path: String)
    /// Recovery is taking `step`; published as each step starts, so a log shows how far it went.
    case recoveryStep(ModemRecoveryStep)
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

/// A received message PDU as the modem gave it.
public struct ModemInboundPDU: Sendable, Hashable {
    /// The PDU in upper-case hex, starting with the SMSC field.
    public var pduHex: String
    /// The TPDU length in octets, without the SMSC field; `nil` when the modem did not give it.
    public var tpduLength: Int?
    /// The storage the message was read from (such as `SM`), `nil` for `+CMT`.
    public var storage: String?
    /// The index it was read from and stays at until deleted; `nil` for `+CMT`.
    public var index: Int?

    public init(pduHex: String, tpduLength: Int?, storage: String? = nil, index: Int? = nil) {
        self.pduHex = pduHex
        self.tpduLength = tpduLength
        self.storage = storage
        self.index = index
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
    /// Power-cycling the USB device through sysfs brought it back.
    case usbReset
    /// Nothing helped; the modem is marked down.
    case down
}

/// One step of the recovery ladder, in the order the session takes them.
public enum ModemRecoveryStep: Sendable, Hashable, CustomStringConvertible {
    /// `AT` on the open port.
    case checkAnswer
    /// Closing the port and opening it again (searching again for a modem bound by identity).
    case reopen
    /// The configured reset command, then polling until the modem responds.
    case resetCommand(String)
    /// The USB device was de-authorised and authorised again through sysfs, then polled.
    case usbReset(device: String)
    /// The USB reset could not be done, for the reason given; recovery goes on to marking down.
    case usbResetSkipped(reason: String)

    public var description: String {
        switch self {
        case .checkAnswer: "AT"
        case .reopen: "reopen"
        case .resetCommand(let command): command
        case .usbReset(let device): "USB reset of \(device)"
        case .usbResetSkipped(let reason): "USB reset skipped: \(reason)"
        }
    }
}
