/// An error in a template's syntax. Positions are 1-based character counts in the template.
public enum TemplateParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `{` with no `}` after it.
    case unclosedBrace(position: Int)
    /// `{}` or a name of spaces only.
    case emptyName(position: Int)
    /// A `{` between a variable's braces.
    case braceInName(position: Int)
    /// A `}` that closes nothing and is not doubled.
    case unmatchedClosingBrace(position: Int)

    public var description: String {
        switch self {
        case .unclosedBrace(let position):
            "the '{' at character \(position) is never closed: close the variable with '}' or write '{{' for a literal brace"
        case .emptyName(let position):
            "the variable at character \(position) has no name: write a name between the braces, such as {name}"
        case .braceInName(let position):
            "the '{' at character \(position) is inside a variable name: close the variable before it"
        case .unmatchedClosingBrace(let position):
            "the '}' at character \(position) closes nothing: write '}}' for a literal brace"
        }
    }
}
