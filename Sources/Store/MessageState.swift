/// Where a message is in its life. The message row holds the current state; every transition
/// also writes an event row.
///
/// `queued -> sending -> sent -> delivered` is the happy path. `sent` is not `delivered`: a
/// provider accepted the message, and only a receipt or status callback moves it further.
public enum MessageState: String, Sendable, CaseIterable, Codable {
    /// Waiting in the queue, possibly until a `notBefore` time.
    case queued
    /// Claimed by a dispatcher under a lease; an attempt is being made.
    case sending
    /// A provider accepted it and returned a provider message id.
    case sent
    /// A receipt or status callback said the handset received it.
    case delivered
    /// Every provider was exhausted, or a provider reported a permanent error for the recipient.
    case failed
    /// A provider accepted it, then a receipt said it could not be delivered.
    case undelivered
    /// Its deadline passed before any provider accepted it.
    case expired
    /// An operator cancelled it, alone or with its broadcast.
    case cancelled
    /// A request left for a provider and no answer came, so the outcome cannot be known.
    case unknown

    /// No further transition is expected without an operator or a re-route.
    public var isFinal: Bool {
        switch self {
        case .delivered, .failed, .expired, .cancelled: true
        case .queued, .sending, .sent, .undelivered, .unknown: false
        }
    }
}
