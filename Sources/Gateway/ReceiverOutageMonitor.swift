/// Decides when the separate receiver session of an SMPP link has been down long enough to tell
/// the admins, and when it is back, from samples of whether each link's receiver is bound.
///
/// A receiver counts as out once every sample for `duration` has found it unbound; one bound
/// sample ends the outage. After a `.down`, the first bound sample gives `.up`. An outage shorter
/// than `duration` (an SMSC restart, a quick re-bind) gives nothing. Times are monotonic instants,
/// so a step of the wall clock neither raises nor hides an outage. A plain value: the owner
/// samples and acts on the result.
public struct ReceiverOutageMonitor: Sendable {
    /// The change the owner reports to the admins and the log.
    public enum Action: Sendable, Equatable {
        /// The receiver of `providerID` has been unbound for `lasted`, at least the whole duration.
        case down(providerID: String, lasted: Duration)
        /// The receiver of `providerID` is bound again after a `.down`; `lasted` is the whole outage.
        case up(providerID: String, lasted: Duration)
    }

    /// How long a receiver must stay unbound before `.down`.
    public let duration: Duration
    /// The first unbound sample of each link's current outage.
    private var downSince: [String: ContinuousClock.Instant] = [:]
    /// Links whose outage has been reported and not yet cleared.
    private var reported: Set<String> = []

    public init(duration: Duration) {
        self.duration = duration
    }

    /// The interval between samples: a quarter of `duration`, between 250 ms and 15 s, so an
    /// outage is reported at most a quarter late.
    public var sampleInterval: Duration {
        min(max(duration / 4, .milliseconds(250)), .seconds(15))
    }

    /// Takes one sample of the receiver of `providerID` and returns what changed, if anything.
    public mutating func observe(providerID: String, isBound: Bool, at now: ContinuousClock.Instant) -> Action? {
        guard !isBound else {
            defer {
                downSince[providerID] = nil
                reported.remove(providerID)
            }
            guard reported.contains(providerID), let since = downSince[providerID] else { return nil }
            return .up(providerID: providerID, lasted: since.duration(to: now))
        }
        let since = downSince[providerID] ?? now
        downSince[providerID] = since
        let lasted = since.duration(to: now)
        guard !reported.contains(providerID), lasted >= duration else { return nil }
        reported.insert(providerID)
        return .down(providerID: providerID, lasted: lasted)
    }
}
