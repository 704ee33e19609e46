/// A password, token or key from the config file, which prints as `********`.
///
/// `description`, `debugDescription`, string interpolation, `print`, `dump` and `Mirror` all
/// show the mask, so a secret that reaches a log line by accident leaks nothing. Code that
/// needs the value (to bind, to sign a request) reads `revealed` at the point of use.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The origin of the value, shown by `lifeline config check` in place of the value.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// Written in the config file itself.
        case inline
        /// Read from a file named by an `x_file` key; the path after `${…}` expansion.
        case file(path: String)
        /// Expanded from `${NAME}` references in the config file.
        case environment(names: [String])

        public var description: String {
            switch self {
            case .inline: "inline"
            case .file(let path): "file \(path)"
            case .environment(let names): names.map { "${\($0)}" }.joined(separator: ", ")
            }
        }
    }

    /// The text that replaces the value wherever a secret is printed.
    public static let mask = "********"

    /// The secret itself; read it only to hand it to the transport that needs it.
    public let revealed: String
    public let source: Source

    public init(_ value: String, source: Source = .inline) {
        self.revealed = value
        self.source = source
    }

    /// Number of characters in the value, for length rules such as SMPP's 8-character password.
    public var count: Int { revealed.count }

    public var description: String { Self.mask }
    public var debugDescription: String { Self.mask }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
