/// Settings for the queue alerts sent to the admins, beyond providers going down or coming back.
///
/// Every alert goes through the same rate limit as the provider alerts, and is logged whether or
/// not its SMS goes out.
public struct AlertSettings: Sendable, Equatable {
    /// Number of messages waiting to be sent (queued or being sent, every priority) above which the
    /// queue counts as backed up. Default 1000, range 0 to 10,000,000, and 0 turns the alert off.
    public var backlogThreshold: Int = 1000
    /// Time the count must stay above `backlogThreshold` before the admins get an alert. Default
    /// 10 minutes, range 1 second to 24 hours. A broadcast that drains within this time raises nothing.
    public var backlogDuration: Duration = .seconds(600)
    /// Time the separate receiver session of an SMPP link (`bind: transmitter_receiver`) must stay
    /// unbound before the admins get an alert. Default 2 minutes, range 1 second to 24 hours. A
    /// receiver that binds again within this time, as after an SMSC restart, raises nothing.
    public var receiverDownDuration: Duration = .seconds(120)

    public init() {}

    /// Whether the backlog alert is on.
    public var watchesBacklog: Bool { backlogThreshold > 0 }

    static func decode(_ value: ConfigValue) -> AlertSettings? {
        value.mapping { reader in
            var settings = AlertSettings()
            settings.backlogThreshold =
                reader.optional("backlog_threshold") { $0.int(in: 0...10_000_000) } ?? settings.backlogThreshold
            settings.backlogDuration =
                reader.optional("backlog_for") { $0.duration(in: .seconds(1)...Duration.seconds(86_400)) }
                ?? settings.backlogDuration
            settings.receiverDownDuration =
                reader.optional("receiver_down_for") { $0.duration(in: .seconds(1)...Duration.seconds(86_400)) }
                ?? settings.receiverDownDuration
            return settings
        }
    }
}
