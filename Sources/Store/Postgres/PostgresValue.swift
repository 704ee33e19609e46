import Foundation

/// A value bound to a statement parameter, sent to the server in text form.
///
/// Dates are whole milliseconds since 1970-01-01 UTC in `BIGINT` columns, the same format and
/// rounding as `SQLiteValue`, so both stores return equal dates for equal inputs.
public enum PostgresValue: Sendable, Equatable {
    case null
    case integer(Int64)
    /// UTF-8 text. PostgreSQL text cannot hold NUL; binding such text throws
    /// `PostgresError` with `.characterNotInRepertoire` instead of cutting it short.
    case text(String)

    /// Milliseconds since the epoch, or `.null` for `nil`.
    public init(_ date: Date?) {
        self = date.map { .integer(SQLiteValue.milliseconds($0)) } ?? .null
    }

    /// `.text`, or `.null` for `nil`.
    public init(_ text: String?) {
        self = text.map { .text($0) } ?? .null
    }

    /// `.integer`, or `.null` for `nil`.
    public init(_ integer: Int64?) {
        self = integer.map { .integer($0) } ?? .null
    }

    /// `.integer` from an `Int`.
    public init(_ integer: Int) {
        self = .integer(Int64(integer))
    }

    /// The parameter's text as libpq sends it, or `nil` for SQL NULL.
    var parameterText: String? {
        switch self {
        case .null: nil
        case .integer(let integer): String(integer)
        case .text(let text): text
        }
    }
}
