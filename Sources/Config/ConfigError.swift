/// The reasons a config file was rejected, collected in one pass where the file could be read.
///
/// A YAML syntax error stops the parse, so it comes alone; every other issue (unknown keys,
/// wrong types, bad values, missing secrets) is collected together. No issue contains the
/// value of a secret.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The issues in document order, never empty.
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) {
        precondition(!issues.isEmpty, "a ConfigError needs at least one issue")
        self.issues = issues
    }

    /// One issue per line.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
