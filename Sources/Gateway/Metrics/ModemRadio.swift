/// A modem's radio as its latest probe read it: signal strength and network registration.
public struct ModemRadio: Sendable, Equatable {
    /// The network registration states of TS 27.007 7.2 (`+CREG`/`+CEREG` `<stat>`), named.
    public enum Registration: String, Sendable, Equatable, CaseIterable {
        case notRegistered = "not_registered"
        case home
        case searching
        case denied
        case unknown
        case roaming

        /// Whether the modem can send on this registration.
        public var isRegistered: Bool { self == .home || self == .roaming }
    }

    /// From `AT+CSQ`, in dBm; `nil` when the modem reports 99 (not known) or did not respond.
    public var signalDBm: Int?
    /// From `AT+CREG?`/`AT+CEREG?`; `nil` when the modem did not respond.
    public var registration: Registration?

    public init(signalDBm: Int?, registration: Registration?) {
        self.signalDBm = signalDBm
        self.registration = registration
    }
}
