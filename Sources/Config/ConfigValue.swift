/// One node of the document with its key path, and typed accessors that report what is wrong.
///
/// Each accessor returns `nil` after recording an issue at the node's position, so decoding
/// goes on and every problem in the file is reported in one pass. Scalars go through `${NAME}`
/// expansion before they are converted.
struct ConfigValue {
    let node: YAMLNode
    let path: String
    let decoder: ConfigDecoder

    var mark: YAMLMark { node.mark }

    /// Records an issue at this value.
    func report(_ message: String) {
        decoder.report(mark, path: path, message)
    }

    /// Records an issue at this value; returns `nil` so callers can `return fail(…)`.
    func fail<T>(_ message: String) -> T? {
        report(message)
        return nil
    }

    /// Returns the scalar's text after `${NAME}` expansion, with its style.
    func scalar(expected: String) -> (text: String, style: YAMLScalarStyle)? {
        guard case .scalar(let raw, let style) = node.content, !node.isNull else {
            return fail("expected \(expected), got \(node.kindDescription)")
        }
        guard let expanded = decoder.expand(raw, mark: mark, path: path) else { return nil }
        return (expanded.text, style)
    }

    /// Decodes a non-empty string; `expected` describes the form in the error.
    func string(expected: String = "a string") -> String? {
        guard let (text, _) = scalar(expected: expected) else { return nil }
        guard !text.isEmpty else {
            return fail("expected \(expected), got an empty string")
        }
        return text
    }

    /// Decodes a string that `isValid` accepts, or reports the expected form and the value.
    func string(expected: String, where isValid: (String) -> Bool) -> String? {
        guard let text = string(expected: expected) else { return nil }
        guard isValid(text) else {
            return fail("expected \(expected), got \(Self.quoted(text))")
        }
        return text
    }

    /// Decodes a decimal integer within `range`. A quoted number is rejected with a hint.
    func int(in range: ClosedRange<Int>) -> Int? {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let (text, style) = scalar(expected: expected) else { return nil }
        guard let number = Self.decimalInteger(text) else {
            return fail("expected \(expected), got \(Self.quoted(text))")
        }
        guard !style.isQuoted else {
            return fail("expected \(expected), got the quoted string \(Self.quoted(text)); remove the quotes")
        }
        guard range.contains(number) else {
            return fail("expected \(expected), got \(number)")
        }
        return number
    }

    /// Decodes a decimal number such as `10` or `0.5` within `range`.
    func number(in range: ClosedRange<Double>) -> Double? {
        let expected = "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
        guard let (text, style) = scalar(expected: expected) else { return nil }
        let isDecimal =
            !text.isEmpty && text.allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) }
            && text.filter({ $0 == "." }).count <= 1 && text.first != "." && text.last != "."
        guard isDecimal, let number = Double(text) else {
            return fail("expected \(expected), got \(Self.quoted(text))")
        }
        guard !style.isQuoted else {
            return fail("expected \(expected), got the quoted string \(Self.quoted(text)); remove the quotes")
        }
        guard range.contains(number) else {
            return fail("expected \(expected), got \(text)")
        }
        return number
    }

    /// `number` without a trailing `.0` when it is whole.
    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    /// `true` or `false`, exactly; YAML 1.1 spellings such as `yes` or `on` get a hint.
    func bool() -> Bool? {
        guard let (text, style) = scalar(expected: "true or false") else { return nil }
        if !style.isQuoted, text == "true" || text == "false" {
            return text == "true"
        }
        if style.isQuoted, text == "true" || text == "false" {
            return fail("expected true or false, got the quoted string \(Self.quoted(text)); remove the quotes")
        }
        switch text.lowercased() {
        case "true", "yes", "y", "on":
            return fail("expected true or false, got \(Self.quoted(text)); write true")
        case "false", "no", "n", "off":
            return fail("expected true or false, got \(Self.quoted(text)); write false")
        default:
            return fail("expected true or false, got \(Self.quoted(text))")
        }
    }

    /// Decodes a duration such as `5s` within `range`.
    func duration(in range: ClosedRange<Duration>) -> Duration? {
        let expected = ConfigDurationFormat.expectedForm
        guard let (text, _) = scalar(expected: expected) else { return nil }
        guard let duration = ConfigDurationFormat.parse(text) else {
            if Self.decimalInteger(text) != nil {
                return fail("expected \(expected), got \(Self.quoted(text)); add a unit, for example \(text)s")
            }
            return fail("expected \(expected), got \(Self.quoted(text))")
        }
        guard range.contains(duration) else {
            let low = ConfigDurationFormat.format(range.lowerBound)
            let high = ConfigDurationFormat.format(range.upperBound)
            return fail("expected a duration from \(low) to \(high), got \(Self.quoted(text))")
        }
        return duration
    }

    /// Decodes one of the enum's raw values, listing them all in the error.
    func enumeration<T: CaseIterable & RawRepresentable<String>>(_ type: T.Type) -> T? {
        let names = T.allCases.map(\.rawValue)
        let expected = "one of " + names.joined(separator: ", ")
        guard let (text, _) = scalar(expected: expected) else { return nil }
        guard let value = T(rawValue: text) else {
            return fail("expected \(expected), got \(Self.quoted(text))" + Suggestion.hint(for: text, among: names))
        }
        return value
    }

    /// Decodes each element of a list. Elements that fail are reported and left out.
    func list<T>(_ decodeElement: (ConfigValue) -> T?) -> [T]? {
        guard case .sequence(let items) = node.content else {
            return fail("expected a list, got \(node.kindDescription)")
        }
        return items.enumerated().compactMap { index, item in
            decodeElement(ConfigValue(node: item, path: "\(path)[\(index)]", decoder: decoder))
        }
    }

    /// Runs `body` over this mapping, then reports the keys `body` did not read.
    func mapping<T>(_ body: (MappingReader) -> T?) -> T? {
        guard case .mapping(let entries) = node.content else {
            return fail("expected a mapping, got \(node.kindDescription)")
        }
        let reader = MappingReader(value: self, entries: entries)
        let result = body(reader)
        reader.reportUnknownKeys()
        return result
    }

    /// `text` in double quotes with escapes, as it appears in an issue.
    static func quoted(_ text: String) -> String {
        text.debugDescription
    }

    private static func decimalInteger(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
