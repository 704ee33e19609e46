/// A failed modem session operation, with the details the caller needs to classify it.
public enum ModemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The port cannot be opened or failed.
    case port(SerialPortError)
    /// No final result within the timeout. For a send this is ambiguous: the message may have left.
    case noAnswer(command: String)
    /// The modem returned an error result (`ERROR`, `+CME ERROR`, `+CMS ERROR`).
    case commandFailed(command: String, result: ATFinalResult)
    /// The SIM requires its PIN and no PIN was configured.
    case pinRequired
    /// The configured PIN is not 4 to 8 digits, so it was not sent to the SIM.
    case invalidPIN
    /// The PDU and its TPDU length disagree, or the PDU is empty; it was not sent.
    case invalidPDU(String)
    /// The SIM is locked in a way this session cannot unlock (`SIM PUK`, `PH-SIM PIN`).
    case simLocked(state: String)
    /// The response had none of the expected lines.
    case unexpectedAnswer(command: String, lines: [String])
    /// Recovery gave up: the modem is marked down until `recover()` succeeds.
    case down(reason: String)
    /// The session was closed.
    case closed
    /// No port among those searched has a modem reporting this identity (`imei:...`/`iccid:...`).
    case notFound(identity: String, searched: [String])

    /// The handling class: transient failures allow a retry, `recipientError` fails the message.
    public var errorClass: ModemErrorClass {
        switch self {
        case .commandFailed(_, let result): result.errorClass ?? .unknown
        case .noAnswer: .transient
        case .pinRequired, .simLocked, .invalidPIN: .configuration
        case .invalidPDU: .badRequest
        case .port, .down, .closed, .notFound: .providerUnavailable
        case .unexpectedAnswer: .unknown
        }
    }

    public var description: String {
        switch self {
        case .port(let error): error.description
        case .noAnswer(let command): "no answer to \(command)"
        case .commandFailed(let command, let result): "\(command) failed: \(result) (\(result.meaning))"
        case .pinRequired: "the SIM asks for a PIN: set pin_file"
        case .invalidPIN: "the configured SIM PIN must be 4 to 8 digits: check pin_file"
        case .invalidPDU(let reason): "invalid PDU: \(reason)"
        case .simLocked(let state): "the SIM is locked (\(state)): unlock it in a phone first"
        case .unexpectedAnswer(let command, let lines): "unexpected answer to \(command): \(lines)"
        case .down(let reason): "modem down: \(reason)"
        case .closed: "the modem session is closed"
        case .notFound(let identity, let searched):
            searched.isEmpty
                ? "no modem with \(identity): no free serial port to search; check the modem is plugged in and the scan pattern"
                : "no modem with \(identity) on \(searched.joined(separator: ", ")): "
                    + "check the modem is plugged in and the identity in the config"
        }
    }
}
