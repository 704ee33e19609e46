import Foundation

/// A value bound to a statement parameter or read from a column.
///
/// Dates are stored as whole milliseconds since 1970-01-01 UTC in `INTEGER` columns, which is the
/// one time format of every table in the store. `SQLiteValue(_ date:)` rounds down to the millisecond.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    /// UTF-8 text, bound with its byte length so embedded NUL characters survive.
    case text(String)
    case blob([UInt8])

    /// Milliseconds since the epoch, or `.null` for `nil`.
    public init(_ date: Date?) {
        guard let date else {
            self = .null
            return
        }
        self = .integer(SQLiteValue.milliseconds(date))
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

    /// Whole milliseconds since the epoch, rounded down.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The date for a count of milliseconds since the epoch.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
