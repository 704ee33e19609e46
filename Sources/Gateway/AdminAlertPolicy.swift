import Foundation

/// Decides when a provider going down or coming back, or a queue backlog, is worth an SMS to the
/// admins.
///
/// A flapping provider must not flood the admins' phones, so each provider (and the backlog
/// alert, and its all-clear) alerts at most once per `perProviderInterval` (default 15 minutes)
/// and all alerts together at most `maxPerHour` times in any hour (default 6). Suppressed alerts
/// are still logged by the caller.
public struct AdminAlertPolicy: Sendable {
    public var perProviderInterval: TimeInterval
    public var maxPerHour: Int
    private var lastAlert: [Subject: Date] = [:]
    private var recent: [Date] = []

    public init(perProviderInterval: TimeInterval = 900, maxPerHour: Int = 6) {
        self.perProviderInterval = perProviderInterval
        self.maxPerHour = maxPerHour
    }

    /// The topic of an alert. Each subject has its own interval.
    public enum Subject: Sendable, Hashable, CustomStringConvertible {
        /// A provider went down or came back.
        case provider(String)
        /// The queue stayed above its backlog threshold.
        case backlog
        /// The queue fell back to its backlog threshold after a backlog alert went out.
        case backlogCleared
        /// The separate receiver session of an SMPP link stayed down.
        case receiverDown(String)
        /// The receiver session of an SMPP link bound again after a `receiverDown` alert.
        case receiverUp(String)

        /// `provider <id>`, `queue backlog`, `queue backlog cleared`, `receiver of <id> down` or
        /// `receiver of <id> up`, for the log.
        public var description: String {
            switch self {
            case .provider(let id): "provider \(id)"
            case .backlog: "queue backlog"
            case .backlogCleared: "queue backlog cleared"
            case .receiverDown(let id): "receiver of \(id) down"
            case .receiverUp(let id): "receiver of \(id) up"
            }
        }
    }

    /// Returns whether an alert about `providerID` may go out at `now`, and records it when it may.
    public mutating func admit(providerID: String, now: Date) -> Bool {
        admit(.provider(providerID), now: now)
    }

    /// Returns whether an alert about `subject` may go out at `now`, and records it when it may.
    ///
    /// When the wall clock is stepped back before earlier alerts, those alerts are dropped from the
    /// count, so new alerts are not held back until the clock catches up.
    public mutating func admit(_ subject: Subject, now: Date) -> Bool {
        recent.removeAll { now.timeIntervalSince($0) >= 3600 || now < $0 }
        if let last = lastAlert[subject], now.timeIntervalSince(last) < perProviderInterval, now >= last {
            return false
        }
        guard recent.count < maxPerHour else { return false }
        lastAlert[subject] = now
        recent.append(now)
        return true
    }

    /// The alert text, kept within one GSM 7-bit segment.
    public static func text(providerID: String, isUp: Bool, reason: String?, host: String) -> String {
        let state = isUp ? "is back up" : "is DOWN"
        var text = "Lifeline \(host): provider \(providerID) \(state)"
        if let reason, !isUp { text += ": \(reason)" }
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }

    /// Returns the backlog alert text with the messages waiting, the threshold and the time, in one GSM 7-bit segment.
    public static func backlogText(waiting: Int, threshold: Int, lasted: Duration, host: String) -> String {
        let seconds = Int(lasted.components.seconds)
        let span = seconds < 120 ? "\(seconds) s" : "\(seconds / 60) min"
        let text = "Lifeline \(host): queue backed up: \(waiting) messages waiting, over \(threshold) for \(span)"
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }

    /// Returns the all-clear text after a backlog alert, in one GSM 7-bit segment.
    public static func backlogClearedText(waiting: Int, threshold: Int, host: String) -> String {
        let text = "Lifeline \(host): queue backlog cleared: \(waiting) messages waiting, threshold \(threshold)"
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }

    /// Returns the alert text for an SMPP link's receiver session that stayed down for `lasted`, or
    /// that is bound again after an outage of `lasted`, in one GSM 7-bit segment.
    public static func receiverText(providerID: String, isUp: Bool, lasted: Duration, host: String) -> String {
        let seconds = Int(lasted.components.seconds)
        let span = seconds < 120 ? "\(seconds) s" : "\(seconds / 60) min"
        let text = isUp
            ? "Lifeline \(host): SMPP \(providerID) receiver is back after \(span); delivery receipts arrive again"
            : "Lifeline \(host): SMPP \(providerID) receiver DOWN for \(span): no delivery receipts or inbound SMS; sending goes on"
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }
}
