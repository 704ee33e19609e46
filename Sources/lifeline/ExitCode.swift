/// The process exit codes, from sysexits(3), documented in `lifeline --help`.
enum ExitCode: Int32 {
    /// Success; for `demo`, every message reached `delivered` through the expected provider.
    case success = 0
    /// The command failed: for `demo`, a message did not take the expected path.
    case failure = 1
    /// The command line was wrong (`EX_USAGE`).
    case usage = 64
    /// An input value was invalid: a phone number, an empty text, a PDU (`EX_DATAERR`).
    case dataError = 65
    /// A file named on the command line does not exist (`EX_NOINPUT`).
    case noInput = 66
    /// A needed service is unavailable: the database is locked or read-only (`EX_UNAVAILABLE`).
    case unavailable = 69
    /// An internal error (`EX_SOFTWARE`).
    case software = 70
    /// The config file is invalid (`EX_CONFIG`).
    case config = 78
}
