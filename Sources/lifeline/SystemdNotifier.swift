import CSystemd

/// Tells systemd about the daemon's state through `sd_notify(3)` when it runs as a
/// `Type=notify` service; does nothing when `NOTIFY_SOCKET` is unset.
struct SystemdNotifier: Sendable {
    /// Sends `READY=1` with a one-line status.
    func ready(status: String) {
        send("READY=1\nSTATUS=\(status)")
    }

    /// Updates the one-line status shown by `systemctl status`.
    func status(_ line: String) {
        send("STATUS=\(line)")
    }

    func stopping() {
        send("STOPPING=1")
    }

    /// Sends one watchdog keep-alive; call it only while the daemon is making progress.
    func watchdogPing() {
        send("WATCHDOG=1")
    }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), or `nil` when the
    /// watchdog is off for this process.
    var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }
}
