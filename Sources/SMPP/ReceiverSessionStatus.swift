import Foundation

/// The state of the separate receiver session of a transmitter and receiver pair, as `SMPPLink`
/// last saw it. Receipts and inbound SMS arrive only while it is `bound`.
public struct ReceiverSessionStatus: Equatable, Sendable {
    /// The phase of the receiver session.
    public enum State: Equatable, Sendable {
        /// Started and not yet bound for the first time.
        case connecting
        /// Bound: receipts and inbound SMS arrive.
        case bound
        /// Not bound since `since`, for the latest `reason`. It binds again on its own, with the link's backoff.
        case down(LinkDownReason)
    }

    /// The current state.
    public var state: State
    /// When the session entered this state. A down session that fails again keeps its first
    /// instant, so the time shows how long receipts have been missing.
    public var since: Date

    public init(state: State, since: Date) {
        self.state = state
        self.since = since
    }

    /// Whether receipts and inbound SMS can arrive now.
    public var isBound: Bool { state == .bound }

    /// The reason it is down; `nil` while bound or connecting.
    public var downReason: LinkDownReason? {
        if case .down(let reason) = state { return reason }
        return nil
    }

    /// Returns the status after the receiver session reports `event`. Other events change nothing.
    func updated(by event: SMPPLinkEvent, at now: Date) -> ReceiverSessionStatus {
        switch (event, state) {
        case (.bound, _):
            return ReceiverSessionStatus(state: .bound, since: now)
        case (.linkDown(let reason), .down):
            return ReceiverSessionStatus(state: .down(reason), since: since)
        case (.linkDown(let reason), _):
            return ReceiverSessionStatus(state: .down(reason), since: now)
        default:
            return self
        }
    }
}
