import Foundation

/// A structured logger with levels and metadata, shaped like swift-log's `Logger`.
///
/// Loggers are values: a component receives one, adds its own metadata keys and passes copies
/// on. The handler decides where lines go; the logger only filters by level. Keep the message
/// constant and put the data in dotted metadata keys (`message.id`, `provider.id`, `attempt`).
public struct Logger: Sendable {
    /// Severity, from `trace` (wire bytes, state transitions) to `critical` (the daemon cannot go on).
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The syslog priority journald reads from a `<N>` prefix on stdout (sd-daemon(3)).
        public var syslogPriority: Int {
            switch self {
            case .trace, .debug: 7
            case .info: 6
            case .notice: 5
            case .warning: 4
            case .error: 3
            case .critical: 2
            }
        }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Parses a level name as written in the config file or `LIFELINE_LOG_LEVEL`.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
            self = level
        }
    }

    public typealias Metadata = [String: String]

    /// The component that logs, for example `smpp` or `dispatcher`.
    public let label: String
    /// Lines below this level are dropped before their message is built.
    public var logLevel: Level
    /// Metadata attached to every line of this logger.
    public var metadata: Metadata
    private let handler: any LogHandler

    public init(label: String, level: Level = .info, handler: any LogHandler = StdoutLogHandler.shared) {
        self.label = label
        self.logLevel = level
        self.metadata = [:]
        self.handler = handler
    }

    /// A copy of this logger for a sub-component, with the same handler, level and metadata.
    public func child(label: String) -> Logger {
        var copy = Logger(label: label, level: logLevel, handler: handler)
        copy.metadata = metadata
        return copy
    }

    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Emits one line when `level` is at or above `logLevel`.
    public func log(
        level: Level,
        _ message: @autoclosure () -> String,
        metadata extra: @autoclosure () -> Metadata = [:]
    ) {
        guard level >= logLevel else { return }
        var merged = metadata
        for (key, value) in extra() { merged[key] = value }
        handler.write(LogRecord(level: level, label: label, message: message(), metadata: merged, date: Date()))
    }

    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .trace, message(), metadata: metadata())
    }

    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .debug, message(), metadata: metadata())
    }

    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .info, message(), metadata: metadata())
    }

    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .notice, message(), metadata: metadata())
    }

    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .warning, message(), metadata: metadata())
    }

    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .error, message(), metadata: metadata())
    }

    public func critical(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .critical, message(), metadata: metadata())
    }
}

extension Logger {
    /// A logger that drops every line, for callers that do not care.
    public static let disabled = Logger(label: "disabled", level: .critical, handler: DiscardLogHandler())
}
