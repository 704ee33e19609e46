import Foundation

/// What the running daemon publishes about itself for `lifeline status`, written atomically to
/// `<database>.status.json` whenever a provider changes state and at least every few seconds.
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

    static func path(forDatabase database: String) -> String {
        database + ".status.json"
    }

    func write(toDatabase database: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(self)
        try data.write(to: URL(fileURLWithPath: Self.path(forDatabase: database)), options: .atomic)
    }

    static func read(forDatabase database: String) -> DaemonStatusSnapshot? {
        guard let data = FileManager.default.contents(atPath: path(forDatabase: database)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(DaemonStatusSnapshot.self, from: data)
    }
}
