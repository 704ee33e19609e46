/// The duration syntax of the config file: an integer and a unit, optionally repeated.
///
/// Units are `ms`, `s`, `m`, `h` and `d` (24 hours): `500ms`, `5s`, `2m`, `1h`, `1h30m`, `30d`.
/// A bare number is rejected because its unit would be a guess.
enum ConfigDurationFormat {
    /// The expected form, for error messages.
    static let expectedForm = "a duration such as 500ms, 5s, 2m or 1h"

    /// Parses `text`; returns `nil` when it is not in the syntax above.
    static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 9, let amount = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix(while: { $0.isASCII && $0.isLetter })
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += .milliseconds(amount)
            case "s": total += .seconds(amount)
            case "m": total += .seconds(amount * 60)
            case "h": total += .seconds(amount * 3600)
            case "d": total += .seconds(amount * 86_400)
            default: return nil
            }
        }
        return total
    }

    /// Writes `duration` with the largest unit that divides it exactly: `2m`, `1500ms`, `1h`, `90d`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 {
            return "0s"
        }
        if milliseconds % 86_400_000 == 0 {
            return "\(milliseconds / 86_400_000)d"
        }
        if milliseconds % 3_600_000 == 0 {
            return "\(milliseconds / 3_600_000)h"
        }
        if milliseconds % 60_000 == 0 {
            return "\(milliseconds / 60_000)m"
        }
        if milliseconds % 1000 == 0 {
            return "\(milliseconds / 1000)s"
        }
        return "\(milliseconds)ms"
    }
}
