/// Reads the keys of one mapping and remembers which were read, so that every other key is
/// reported as unknown with the valid keys listed.
///
/// Created by `ConfigValue.mapping(_:)`, which reports unknown keys when its body returns.
final class MappingReader {
    let value: ConfigValue
    private let entries: [YAMLNode.Entry]
    private var knownKeys: [String] = []
    /// Turned off when the mapping's other keys cannot be judged (a provider of unknown type).
    var reportsUnknownKeys = true

    init(value: ConfigValue, entries: [YAMLNode.Entry]) {
        self.value = value
        self.entries = entries
    }

    var decoder: ConfigDecoder { value.decoder }

    /// Returns the key path of `key` in this mapping.
    func path(of key: String) -> String {
        value.path.isEmpty ? key : "\(value.path).\(key)"
    }

    /// Marks `key` as known and returns its value, including a null one.
    func child(_ key: String) -> ConfigValue? {
        if !knownKeys.contains(key) {
            knownKeys.append(key)
        }
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        return ConfigValue(node: entry.value, path: path(of: key), decoder: decoder)
    }

    /// Returns the position of `key` itself, for issues about the key rather than its value.
    func keyMark(_ key: String) -> YAMLMark? {
        entries.first(where: { $0.key == key })?.keyMark
    }

    /// Decodes `key` when present and not null; otherwise returns `nil` without an issue.
    func optional<T>(_ key: String, _ decode: (ConfigValue) -> T?) -> T? {
        guard let child = child(key), !child.node.isNull else { return nil }
        return decode(child)
    }

    /// Decodes `key`, reporting a missing key at this mapping with the expected form.
    func required<T>(_ key: String, expected: String, _ decode: (ConfigValue) -> T?) -> T? {
        guard let child = child(key) else {
            decoder.report(value.mark, path: path(of: key), "missing required key; expected \(expected)")
            return nil
        }
        guard !child.node.isNull else {
            return child.fail("expected \(expected), got nothing")
        }
        return decode(child)
    }

    /// Reports each key that no accessor asked for.
    func reportUnknownKeys() {
        guard reportsUnknownKeys else { return }
        for entry in entries where !knownKeys.contains(entry.key) {
            let hint = Suggestion.hint(for: entry.key, among: knownKeys)
            let message =
                "unknown key \(ConfigValue.quoted(entry.key))\(hint); valid keys here: "
                + knownKeys.joined(separator: ", ")
            decoder.report(entry.keyMark, path: path(of: entry.key), message)
        }
    }
}
