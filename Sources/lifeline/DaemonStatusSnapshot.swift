import Foundation

/// What the running daemon publishes about itself for `lifeline status`, written atomically to
/// the config's `status_file` every 2 s.
///
/// A file rather than a socket, so `status` works while the daemon is busy and tells plainly
/// when the daemon has stopped: the snapshot then grows old.
struct DaemonStatusSnapshot: Codable, Equatable {
    struct ProviderEntry: Codable, Equatable {
        var id: String
        var type: String
        /// `closed`, `open` or `half-open`.
        var breaker: String
        var openUntil: Date?
        /// `healthy`, or the last probe's or attempt's reason for being unhealthy.
        var health: String
        var sendsInFlight: Int
    }

    var pid: Int32
    var startedAt: Date
    var updatedAt: Date
    var providers: [ProviderEntry]

    /// A snapshot older than this means the daemon is not running or its loop is stuck.
    static let staleAfter: TimeInterval = 15

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        // Foundation's `.iso8601` strategy builds a calendar in the machine's time zone, which
        // loads ICU's time zone data and code: 3.2 MiB more resident in an idle daemon built
        // with --static-swift-stdlib. The text is the same, so `read` still decodes `.iso8601`.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.utcTimestamp(date))
        }
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(self)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Formats `date` as ISO 8601 in UTC to the second (`2026-12-04T23:08:00Z`), as `.iso8601` does.
    static func utcTimestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
            + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))Z"
    }

    static func read(from path: String) -> DaemonStatusSnapshot? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(DaemonStatusSnapshot.self, from: data)
    }
}
