/// Timeouts shared by the cloud providers' HTTP clients.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Whole request, from connect to the last response byte; default 10 s, range 1 s to 2 m.
    /// A request that times out after it was sent is an ambiguous outcome.
    public var request: Duration = .seconds(10)
    /// TCP and TLS connect only; default 5 s, range 100 ms to 1 m.
    public var connect: Duration = .seconds(5)

    public init() {}

    /// Reads `timeout` and `connect_timeout` from a provider mapping.
    static func decode(_ reader: MappingReader) -> HTTPTimeouts {
        var timeouts = HTTPTimeouts()
        timeouts.request =
            reader.optional("timeout") { $0.duration(in: .seconds(1)...Duration.seconds(120)) } ?? timeouts.request
        timeouts.connect =
            reader.optional("connect_timeout") {
                $0.duration(in: .milliseconds(100)...Duration.seconds(60))
            } ?? timeouts.connect
        return timeouts
    }
}
