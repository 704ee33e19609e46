import Foundation

/// One log line before formatting.
public struct LogRecord: Sendable {
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata
    public var date: Date
}

/// A destination for log records. Implementations must be safe to call from any thread.
public protocol LogHandler: Sendable {
    func write(_ record: LogRecord)
}

/// Writes one line per record to stdout with a `<N>` syslog priority prefix, which journald
/// turns into the entry's priority when the daemon runs under systemd.
///
/// Metadata keys are sorted so that lines are stable for grep. Writes are serialised by a lock
/// so lines from different threads never interleave.
public final class StdoutLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked: `lock` guards every write to the file handle.
    public static let shared = StdoutLogHandler()

    private let lock = NSLock()
    private let handle: FileHandle
    private let prefixesPriority: Bool

    /// - Parameter prefixesPriority: writes `<N>` before each line; turn off for an interactive terminal.
    public init(handle: FileHandle = .standardOutput, prefixesPriority: Bool = true) {
        self.handle = handle
        self.prefixesPriority = prefixesPriority
    }

    public func write(_ record: LogRecord) {
        let line = StdoutLogHandler.format(record, prefixesPriority: prefixesPriority) + "\n"
        lock.lock()
        defer { lock.unlock() }
        handle.write(Data(line.utf8))
    }

    /// Formats a record as `<6>info dispatcher: Message sent message.id=42 provider.id=carrier`.
    public static func format(_ record: LogRecord, prefixesPriority: Bool) -> String {
        var line = prefixesPriority ? "<\(record.level.syslogPriority)>" : ""
        line += "\(record.level) \(record.label): \(record.message)"
        for key in record.metadata.keys.sorted() {
            line += " \(key)=\(quoteIfNeeded(record.metadata[key] ?? ""))"
        }
        return line
    }

    /// Quotes a value that is empty or contains a space, `"`, `=` or a line break, escaping `\`,
    /// `"`, LF and CR. It works on Unicode scalars, not characters: a `"` followed by a combining
    /// mark is one character, and comparing characters would let it end the quoted field early.
    static func quoteIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar.properties.isWhitespace && scalar != "\t"
        }
        guard needsQuotes else { return value }
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": escaped.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            case "\r": escaped.append(contentsOf: "\\r".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return "\"" + String(escaped) + "\""
    }
}

/// Keeps records in memory, for tests that check what was logged.
public final class InMemoryLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked: `lock` guards `storage`.
    private let lock = NSLock()
    private var storage: [LogRecord] = []

    public init() {}

    public func write(_ record: LogRecord) {
        lock.lock()
        storage.append(record)
        lock.unlock()
    }

    /// Every record written so far, oldest first.
    public var records: [LogRecord] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// Drops every record.
public struct DiscardLogHandler: LogHandler {
    public init() {}
    public func write(_ record: LogRecord) {}
}

/// Masks a phone number for logs above `debug`: `+447700900123` becomes `+44770*****23`.
public func redactedPhoneNumber(_ number: String) -> String {
    let characters = Array(number)
    guard characters.count > 6 else { return String(repeating: "*", count: characters.count) }
    let head = characters.prefix(characters.count - 7)
    let tail = characters.suffix(2)
    return String(head) + String(repeating: "*", count: 5) + String(tail)
}
