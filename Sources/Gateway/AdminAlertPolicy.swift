import Foundation

/// Decides when a provider going down or coming back is worth an SMS to the admins.
///
/// A flapping provider must not flood the admins' phones, so each provider alerts at most once
/// per `perProviderInterval` (default 15 minutes) and all providers together at most
/// `maxPerHour` times in any hour (default 6). Suppressed alerts are still logged by the caller.
public struct AdminAlertPolicy: Sendable {
    public var perProviderInterval: TimeInterval
    public var maxPerHour: Int
    private var lastAlert: [String: Date] = [:]
    private var recent: [Date] = []

    public init(perProviderInterval: TimeInterval = 900, maxPerHour: Int = 6) {
        self.perProviderInterval = perProviderInterval
        self.maxPerHour = maxPerHour
    }

    /// Returns whether an alert about `providerID` may go out at `now`, and records it when it may.
    public mutating func admit(providerID: String, now: Date) -> Bool {
        recent.removeAll { now.timeIntervalSince($0) >= 3600 }
        if let last = lastAlert[providerID], now.timeIntervalSince(last) < perProviderInterval { return false }
        guard recent.count < maxPerHour else { return false }
        lastAlert[providerID] = now
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
}
