/// The result of a health probe that sends no message.
public enum CloudProbeResult: Sendable, Equatable {
    /// The API was reachable and accepted the credentials.
    case healthy
    /// The API was unreachable, rejected the credentials or failed; `reason` contains no secrets.
    case unhealthy(reason: String)
}
