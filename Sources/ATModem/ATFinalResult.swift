/// The line that ends an AT command: `OK` or one of the error results.
///
/// `+CMS ERROR` and `+CME ERROR` end a command exactly like `OK` does; nothing waits for an
/// `OK` after them.
public enum ATFinalResult: Sendable, Hashable, CustomStringConvertible {
    /// `OK`.
    case ok
    /// Plain `ERROR` (with `AT+CMEE=0`, or for a command the modem does not know).
    case error
    /// `+CME ERROR: <code>` (equipment and SIM errors).
    case cmeError(CMEErrorCode)
    /// `+CME ERROR: <text>` whose verbose text has no known code.
    case cmeErrorText(String)
    /// `+CMS ERROR: <code>` (message service errors).
    case cmsError(CMSErrorCode)
    /// `+CMS ERROR: <text>` whose verbose text has no known code.
    case cmsErrorText(String)
    /// `NO CARRIER`, `BUSY`, `NO ANSWER`, `NO DIALTONE`: call results, treated as failures.
    case callFailure(String)

    /// Whether the command succeeded.
    public var isSuccess: Bool { self == .ok }

    /// The meaning in words, for logs and errors.
    public var meaning: String {
        switch self {
        case .ok: "OK"
        case .error: "unspecified error"
        case .cmeError(let code): code.meaning
        case .cmsError(let code): code.meaning
        case .cmeErrorText(let text), .cmsErrorText(let text), .callFailure(let text): text
        }
    }

    /// The handling class of the error, or `nil` for `OK`.
    public var errorClass: ModemErrorClass? {
        switch self {
        case .ok: nil
        case .error, .cmeErrorText, .cmsErrorText, .callFailure: .unknown
        case .cmeError(let code): code.errorClass
        case .cmsError(let code): code.errorClass
        }
    }

    public var description: String {
        switch self {
        case .ok: "OK"
        case .error: "ERROR"
        case .cmeError(let code): "+CME ERROR: \(code.code)"
        case .cmsError(let code): "+CMS ERROR: \(code.code)"
        case .cmeErrorText(let text): "+CME ERROR: \(text)"
        case .cmsErrorText(let text): "+CMS ERROR: \(text)"
        case .callFailure(let text): text
        }
    }
}
