/// A position in a YAML document, 1-based, as an editor shows it.
struct YAMLMark: Sendable, Equatable {
    var line: Int
    var column: Int
}

/// The notation a scalar was written in. A quoted or block scalar is always a string, even when its text
/// looks like a number or a boolean (`"0123"` stays the text `0123`).
enum YAMLScalarStyle: Sendable, Equatable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded

    /// Whether the scalar was written in a form that forces a string.
    var isQuoted: Bool { self != .plain }
}

/// One node of a loaded YAML document, with the position where it starts.
struct YAMLNode: Sendable, Equatable {
    /// A `key: value` pair in a mapping, in document order; the key is always a scalar.
    struct Entry: Sendable, Equatable {
        var key: String
        var keyMark: YAMLMark
        var value: YAMLNode
    }

    enum Content: Sendable, Equatable {
        case scalar(String, YAMLScalarStyle)
        case mapping([Entry])
        case sequence([YAMLNode])
    }

    var content: Content
    var mark: YAMLMark

    /// Whether the node is YAML's null: an empty plain scalar, `~` or `null`.
    var isNull: Bool {
        guard case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// A short description of the node's kind for error messages.
    var kindDescription: String {
        switch content {
        case .scalar: isNull ? "nothing" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}
