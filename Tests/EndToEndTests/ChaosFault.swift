/// A class of fault a chaos run injects.
enum ChaosFault: String, CaseIterable, Sendable, Codable {
    /// SIGKILL of the daemon, then a new start.
    case daemonKill = "daemon-kill"
    /// The SMSC closes every connection at once, with submits in its window.
    case smscDrop = "smsc-drop"
    /// The SMSC closes its connections and rejects new ones until the next fault.
    case smscRefuse = "smsc-refuse"
    /// The SMSC dies and a fresh one starts on the same port after a short outage: its sessions
    /// and the receipts it still owed are gone.
    case smscRestart = "smsc-restart"
    /// The modem stops responding to AT commands.
    case modemHang = "modem-hang"
    /// The modem re-enumerates: its pseudo terminal closes, and after a short outage a new one
    /// appears behind the same configured path, as a `/dev/serial/by-id` link does.
    case modemReopen = "modem-reopen"
    /// The cloud endpoint, which rejected connections so far, accepts them and never responds.
    case cloudBlackHole = "cloud-black-hole"
    /// The disk holding the database fills up until the next fault, then has room again.
    case diskFull = "disk-full"
    /// The daemon's wall clock is stepped by an hour: forward, or back for odd seeds with `LIFELINE_CHAOS_CLOCK_BACK=1`.
    /// The monotonic clock is untouched.
    case clockJump = "clock-jump"
}
