import Foundation
import Store

/// One message as a provider receives it for one attempt.
public struct OutboundSMS: Sendable, Equatable {
    public var messageID: MessageID
    /// 1 for the first attempt of this message over all providers.
    public var attempt: Int
    /// E.164 with the leading `+`; each provider renders it for its transport.
    public var recipient: String
    public var text: String
    public var priority: Priority

    public init(messageID: MessageID, attempt: Int, recipient: String, text: String, priority: Priority) {
        self.messageID = messageID
        self.attempt = attempt
        self.recipient = recipient
        self.text = text
        self.priority = priority
    }
}

/// The classified result of one send, as in the failover table.
public enum SendOutcome: Sendable, Equatable {
    /// The provider took the message; `providerMessageID` matches its later receipts.
    case accepted(providerMessageID: String)
    /// A permanent error for this recipient; other providers are not tried.
    case recipientError(reason: String)
    /// The provider cannot take messages now; its breaker counts this and the next provider is tried at once.
    case unavailable(reason: String)
    /// The provider asked to slow down; `retryAfter` is its hint when it gave one.
    case throttled(retryAfter: Duration?, reason: String)
    /// The request left and no answer came.
    case ambiguous(reason: String)

    /// The class stored in `sms_attempts.outcome`.
    public var attemptOutcome: AttemptOutcome {
        switch self {
        case .accepted: .accepted
        case .recipientError: .recipientError
        case .unavailable: .unavailable
        case .throttled: .throttled
        case .ambiguous: .ambiguous
        }
    }

    /// The reason text for events and logs; `nil` for an accepted message.
    public var reason: String? {
        switch self {
        case .accepted: nil
        case .recipientError(let reason), .unavailable(let reason), .ambiguous(let reason): reason
        case .throttled(_, let reason): reason
        }
    }
}

/// A receipt or status callback for a message a provider accepted earlier.
public struct DeliveryReport: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// The handset received the message.
        case delivered
        /// The provider gave up: expired, rejected, undeliverable.
        case undelivered
        /// An intermediate state (enroute, accepted by the next hop); not final.
        case pending
    }

    public var providerID: String
    public var providerMessageID: String
    public var status: Status
    /// The provider's own words or code, for the event row (`stat:UNDELIV err:001`, `TP-ST 0x46`).
    public var reason: String?
    /// The handset the report is about (an SMPP receipt's `source_addr`), when the provider reports it.
    /// Used only when `providerMessageID` matches no recorded attempt; see `ReceiptMatcher`.
    public var recipient: String?
    /// The original message's first characters (an SMPP receipt's `text:`), when the provider gives them.
    public var textPrefix: String?

    public init(
        providerID: String,
        providerMessageID: String,
        status: Status,
        reason: String? = nil,
        recipient: String? = nil,
        textPrefix: String? = nil
    ) {
        self.providerID = providerID
        self.providerMessageID = providerMessageID
        self.status = status
        self.reason = reason
        self.recipient = recipient
        self.textPrefix = textPrefix
    }
}

/// The result of a health probe that sends no message.
public enum ProbeResult: Sendable, Equatable {
    case healthy
    case unhealthy(reason: String)
}

/// Receives delivery reports from a provider's background work.
public typealias DeliveryReportHandler = @Sendable (DeliveryReport) async -> Void

/// A way out for messages: a cloud API, an SMPP carrier link or a GSM modem.
///
/// The pool keeps providers in the order of the config file. A provider classifies its own
/// failures into `SendOutcome`; the router and breakers decide what to do with them.
public protocol Provider: Sendable {
    /// The id from the config file, used in the store, logs and metrics.
    var id: String { get }

    /// Whether this provider sends final delivery reports, so that a missing one can trigger a re-route.
    var sendsDeliveryReports: Bool { get }

    /// Starts background work (binding a link, opening a port) and returns without waiting for it
    /// to succeed. Delivery reports go to `reports` until `stop()`.
    func start(reports: @escaping DeliveryReportHandler) async

    /// Makes one attempt and classifies its result. Never throws: every failure is an outcome.
    func send(_ message: OutboundSMS) async -> SendOutcome

    /// Checks health without sending a message.
    func probe() async -> ProbeResult

    /// Stops background work; sends in flight finish or end as `ambiguous`.
    func stop() async

    /// Returns once the provider can take a send (a link bound, a modem initialised) or `timeout`
    /// has passed, whichever is first. The daemon waits for this before it starts dispatching, so
    /// the first messages after a start are not failed over while links are still coming up.
    func waitUntilReady(timeout: Duration) async

    /// The radio as the latest probe read it, for a provider that has one (a GSM modem). It is
    /// `nil` for the others and before the first probe.
    var radio: ModemRadio? { get }
}

extension Provider {
    /// Providers with nothing to bring up are ready at once.
    public func waitUntilReady(timeout: Duration) async {}

    /// Providers without a radio report none.
    public var radio: ModemRadio? { nil }
}

/// Re-checks `isReady` every 50 ms until it returns true or `timeout` passes.
func waitUntil(timeout: Duration, _ isReady: () async -> Bool) async {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await isReady() { return }
        try? await Task.sleep(for: .milliseconds(50))
    }
}
