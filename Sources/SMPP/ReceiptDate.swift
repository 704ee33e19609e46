/// A date from a receipt's `submit date:` or `done date:` field: `YYMMDDhhmm` or
/// `YYMMDDhhmmss`, in the SMSC's local time with no zone.
///
/// Kept as fields rather than a `Date` because the zone is unknown; `description` renders it
/// like ISO 8601 without a zone (`2026-03-14T10:22` or `2026-03-14T10:22:33`).
public struct ReceiptDate: Equatable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    /// `nil` for the ten-digit form.
    public var second: Int?

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int? = nil) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Parses ten or twelve digits; years are 2000 + YY. Returns `nil` for all zeros, which
    /// SMSCs write for an absent date, and for anything that is not a valid calendar time.
    public init?(digits: String) {
        guard digits.count == 10 || digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        let values = stride(from: 0, to: digits.count, by: 2).map { start -> Int in
            let from = digits.index(digits.startIndex, offsetBy: start)
            return Int(digits[from..<digits.index(from, offsetBy: 2)])!
        }
        guard values.contains(where: { $0 != 0 }) else { return nil }
        guard (1...12).contains(values[1]), (1...31).contains(values[2]), values[3] < 24, values[4] < 60 else {
            return nil
        }
        let second = values.count == 6 ? values[5] : nil
        if let second, second > 60 { return nil }
        self.init(
            year: 2000 + values[0],
            month: values[1],
            day: values[2],
            hour: values[3],
            minute: values[4],
            second: second
        )
    }

    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute))"
        if let second { text += ":\(two(second))" }
        return text
    }
}
