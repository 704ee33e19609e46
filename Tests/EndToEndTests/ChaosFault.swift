/// A class of fault a chaos run injects.
enum ChaosFault: String, CaseIterable, Sendable, Codable {
    /// SIGKILL of the daemon, then a new start.
    case daemonKill = "daemon-kill"
    /// The SMSC closes every connection at once, with submits in its window.
    case smscDrop = "smsc-drop"
    /// The SMSC closes its connections and rejects new ones until the next fault.
    case smscRefuse = "smsc-refuse"
    /// The modem stops responding to AT commands.
    case modemHang = "modem-hang"
    /// The cloud endpoint, which rejected connections so far, accepts them and never responds.
    case cloudBlackHole = "cloud-black-hole"
}
