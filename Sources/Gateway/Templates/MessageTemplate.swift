/// A message text with named `{variables}`, parsed once and rendered per recipient.
///
/// `{name}` is a variable; its name is the text between the braces with surrounding spaces
/// removed, compared exactly (case-sensitive). `{{` and `}}` stand for literal braces. Anything
/// else outside braces is kept as written. Rendering never leaves a placeholder in the text: a
/// variable without a value is an error naming it and the recipient.
public struct MessageTemplate: Sendable, Equatable {
    /// One piece of a parsed template.
    public enum Part: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    /// The text as written.
    public let source: String
    /// Literal text and variables in order; adjacent literals are joined.
    public let parts: [Part]

    /// Parses `source`.
    /// - Throws: `TemplateParseError` with the 1-based character position of an unclosed `{`, an
    ///   empty `{}`, a `{` inside a name, or a lone `}`.
    public init(_ source: String) throws(TemplateParseError) {
        self.source = source
        self.parts = try Self.parse(source)
    }

    /// Creates a template of literal text only, so braces in `text` are kept as written.
    public init(literal text: String) {
        source = text
        parts = text.isEmpty ? [] : [.literal(text)]
    }

    /// The variable names the template uses, each once, in order of first use.
    public var variableNames: [String] {
        var seen: Set<String> = []
        var names: [String] = []
        for case .variable(let name) in parts where seen.insert(name).inserted {
            names.append(name)
        }
        return names
    }

    /// Renders the text for one recipient.
    ///
    /// - Parameters:
    ///   - variables: values by variable name; an empty value counts as missing.
    ///   - recipient: named in the error, such as the contact's number or CSV line.
    /// - Throws: `TemplateRenderError.missingVariables` listing every variable without a value.
    public func render(_ variables: [String: String], recipient: String) throws(TemplateRenderError) -> String {
        var text = ""
        var missing: [String] = []
        for part in parts {
            switch part {
            case .literal(let literal):
                text += literal
            case .variable(let name):
                if let value = variables[name], !value.isEmpty {
                    text += value
                } else if !missing.contains(name) {
                    missing.append(name)
                }
            }
        }
        guard missing.isEmpty else { throw .missingVariables(missing, recipient: recipient) }
        return text
    }

    private static func parse(_ source: String) throws(TemplateParseError) -> [Part] {
        let characters = Array(source)
        var parts: [Part] = []
        var literal = ""
        var index = 0
        // Positions in errors are 1-based character counts, as an editor shows them.
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch (character, next) {
            case ("{", "{"), ("}", "}"):
                literal.append(character)
                index += 2
            case ("}", _):
                throw .unmatchedClosingBrace(position: index + 1)
            case ("{", _):
                guard let closing = characters[(index + 1)...].firstIndex(of: "}") else {
                    throw .unclosedBrace(position: index + 1)
                }
                let body = characters[(index + 1)..<closing]
                if let nested = body.firstIndex(of: "{") {
                    throw .braceInName(position: nested + 1)
                }
                let name = String(body).trimmingSpaces()
                guard !name.isEmpty else { throw .emptyName(position: index + 1) }
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = ""
                }
                parts.append(.variable(name))
                index = closing + 1
            default:
                literal.append(character)
                index += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }
}

extension String {
    /// Returns the text without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
