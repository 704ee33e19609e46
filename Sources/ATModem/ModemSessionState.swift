/// The lifecycle state of a `ModemSession`.
public enum ModemSessionState: Sendable, Equatable {
    /// Not initialised yet, or the last initialisation failed.
    case closed
    /// Initialised and taking messages.
    case ready
    /// A command timed out or the port failed, so recovery runs before the next operation.
    case needsRecovery
    /// Recovery gave up for the reason given. The next operation tries recovery again.
    case down(String)
    /// `close()` was called.
    case shutDown
}
