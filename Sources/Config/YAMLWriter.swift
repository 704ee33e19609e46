/// Builds block-style YAML text line by line, quoting scalars only where YAML needs it.
struct YAMLWriter {
    private(set) var lines: [String] = []
    private var indent = 0
    /// Set by `listItem`: the next key starts with `- ` at the list's indentation.
    private var startsListItem = false

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func comment(_ text: String) {
        lines.append(String(repeating: " ", count: indent) + "# " + text)
    }

    /// Writes `key: value` with an already rendered value and an optional trailing comment.
    mutating func field(_ key: String, raw value: String, comment: String? = nil) {
        var line = prefix() + key + ": " + value
        if let comment {
            line += "  # " + comment
        }
        lines.append(line)
    }

    mutating func field(_ key: String, _ value: String) {
        field(key, raw: Self.scalar(value))
    }

    mutating func field(_ key: String, _ value: Int) {
        field(key, raw: String(value))
    }

    mutating func field(_ key: String, _ value: Bool) {
        field(key, raw: value ? "true" : "false")
    }

    mutating func field(_ key: String, _ value: Duration) {
        field(key, raw: ConfigDurationFormat.format(value))
    }

    /// Writes a secret as the mask, with where it came from as a comment.
    mutating func field(_ key: String, _ secret: Secret) {
        field(key, raw: Self.scalar(Secret.mask), comment: "from \(secret.source)")
    }

    /// Writes `key:` and the lines `body` adds, indented one level.
    mutating func section(_ key: String, _ body: (inout YAMLWriter) -> Void) {
        lines.append(prefix() + key + ":")
        indent += 2
        body(&self)
        indent -= 2
    }

    /// Writes one list element whose first key gets the `- ` marker.
    mutating func listItem(_ body: (inout YAMLWriter) -> Void) {
        startsListItem = true
        indent += 2
        body(&self)
        indent -= 2
        startsListItem = false
    }

    private mutating func prefix() -> String {
        guard startsListItem else { return String(repeating: " ", count: indent) }
        startsListItem = false
        return String(repeating: " ", count: indent - 2) + "- "
    }

    /// Writes a flow sequence of scalars: `["+447700900123", "+447700900124"]`.
    static func flowList(_ values: [String]) -> String {
        "[" + values.map(scalar).joined(separator: ", ") + "]"
    }

    /// `text` plain when YAML reads it back as the same string, otherwise double-quoted.
    static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    private static let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    private static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "/" || first == "_" || first == "."
        else {
            return false
        }
        guard !reservedWords.contains(text.lowercased()), !text.hasSuffix(":"), !text.contains(": "),
            !text.contains(" #")
        else {
            return false
        }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_./@+-:".contains($0)) }
    }

    /// `text` in YAML double quotes, with each `${` written `$${` so that the loader, which
    /// expands `${NAME}` from the environment, reads the literal text back.
    private static func doubleQuoted(_ text: String) -> String {
        var output = "\""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "$" where index + 1 < scalars.count && scalars[index + 1] == "{": output += "$$"
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
