/// The response to one AT command: its information lines and the final result that ended it.
public struct ATResponse: Sendable, Hashable {
    /// The command as written, without the trailing CR.
    public var command: String
    /// Information lines in arrival order, without echo and unsolicited codes.
    public var lines: [String]
    /// The line that ended the command.
    public var final: ATFinalResult

    public init(command: String, lines: [String], final: ATFinalResult) {
        self.command = command
        self.lines = lines
        self.final = final
    }

    /// Returns the first information line starting with `prefix`, with the prefix and spaces removed.
    public func value(prefix: String) -> String? {
        for line in lines {
            if let value = ATLineClassifier.value(of: line, prefix: prefix) { return value }
        }
        return nil
    }
}
