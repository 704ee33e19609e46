/// An error that makes a whole CSV file unreadable. Problems of single rows (an invalid number,
/// a duplicate) are not file errors, because the import reports them per row.
public enum CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A quoted field opened on `line` never closes.
    case unterminatedQuote(line: Int)
    /// Characters follow a closing quote before the next delimiter or line end.
    case textAfterClosingQuote(line: Int)
    /// The bytes on `line` are not UTF-8.
    case invalidUTF8(line: Int)
    /// The file has no header line.
    case empty
    /// The header has no `number`, `phone` or `mobile` column.
    case missingNumberColumn(header: [String])
    /// Two header columns have the same name (compared case-insensitively).
    case duplicateColumn(String)

    public var description: String {
        switch self {
        case .unterminatedQuote(let line):
            "line \(line): a quoted field is never closed: add the closing '\"' (write '\"\"' for a quote inside it)"
        case .textAfterClosingQuote(let line):
            "line \(line): text follows a closing quote: quote the whole field and double the quotes inside it"
        case .invalidUTF8(let line):
            "line \(line): the text is not UTF-8: export the file as \"CSV UTF-8\""
        case .empty:
            "the file is empty: the first line must be a header such as number,name"
        case .missingNumberColumn(let header):
            "the header (\(header.joined(separator: ", "))) has no number column: name it number, phone or mobile"
        case .duplicateColumn(let name):
            "the header has two columns named \(name): rename one"
        }
    }
}
