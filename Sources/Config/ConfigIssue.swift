/// One problem found in a config file: where it is, which key, and what to write instead.
///
/// `line` and `column` are 1-based. Both are 0 for a problem with the file as a whole (not
/// found, unreadable), and the message then names the file itself. `path` is the key path in
/// the document, such as `providers[1].port` with list indexes from 0. It is empty for a
/// problem above the first key.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var path: String
    public var message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// The issue as a compiler-style line: `lifeline.yaml:12:11: providers[1].port: expected …`.
    public var description: String {
        var parts: [String] = []
        if line > 0 {
            parts.append("\(file):\(line):\(column)")
        }
        if !path.isEmpty {
            parts.append(path)
        }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
