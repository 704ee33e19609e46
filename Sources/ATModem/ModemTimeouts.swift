/// Timeouts and retry pacing of a modem session.
///
/// The defaults suit USB sticks: most commands complete within milliseconds, a send waits for the
/// network, and a reset takes a stick 10-30 s to come back.
public struct ModemTimeouts: Sendable, Equatable {
    /// For each ordinary command (default 5 s).
    public var command: Duration
    /// For a whole `AT+CMGS` exchange, prompt to `+CMGS` (default 60 s: the network answer can be slow).
    public var send: Duration
    /// Pause before retrying a command that returned `+CME ERROR: 14` (SIM busy) (default 1 s).
    public var simBusyRetryDelay: Duration
    /// How many times a SIM-busy command is retried (default 10).
    public var simBusyRetries: Int
    /// Pause between closing and reopening the port, so that the modem detects the hang-up (default 0.5 s).
    public var reopenPause: Duration
    /// How long to keep trying after the reset command before marking the modem down (default 60 s).
    public var resetRecovery: Duration
    /// Pause between attempts to reach the modem after a reset (default 1 s).
    public var resetPollInterval: Duration

    public init(
        command: Duration = .seconds(5),
        send: Duration = .seconds(60),
        simBusyRetryDelay: Duration = .seconds(1),
        simBusyRetries: Int = 10,
        reopenPause: Duration = .milliseconds(500),
        resetRecovery: Duration = .seconds(60),
        resetPollInterval: Duration = .seconds(1)
    ) {
        self.command = command
        self.send = send
        self.simBusyRetryDelay = simBusyRetryDelay
        self.simBusyRetries = simBusyRetries
        self.reopenPause = reopenPause
        self.resetRecovery = resetRecovery
        self.resetPollInterval = resetPollInterval
    }
}
