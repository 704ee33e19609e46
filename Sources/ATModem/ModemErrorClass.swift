/// How a modem error code should be handled: the class each CMS and CME code belongs to.
///
/// The Gateway maps these onto its failover outcomes. `transient` and `unknown` allow a retry
/// or another route. `recipientError` fails the message for good. `providerUnavailable` opens
/// the modem's breaker and moves on at once. `configuration` needs the operator to fix the
/// setup, and `badRequest` means this exact request must never be resent.
public enum ModemErrorClass: String, Sendable, CaseIterable {
    /// Network timeout, congestion, no service, SIM busy: retry later or use another route.
    case transient
    /// The request itself is wrong (a malformed PDU, an unsupported operation); resending it fails again.
    case badRequest = "bad_request"
    /// The modem or SIM is set up wrongly (no SMSC address, PIN or PUK needed).
    case configuration
    /// The recipient cannot receive: an invalid or unassigned number, a barred destination.
    case recipientError = "recipient_error"
    /// The SIM or the subscription cannot send at all (SIM failure, not inserted, barred sender).
    case providerUnavailable = "provider_unavailable"
    /// The code carries no specific cause (`+CMS ERROR: 500`, plain `ERROR`).
    case unknown
}
