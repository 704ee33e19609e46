/// Splits and reads the comma-separated fields of information lines. Pure.
public enum ATFields {
    /// Splits `0,"",33` or `"REC UNREAD",6,"26/02/02,18:00:00-12"` at commas outside quotes.
    ///
    /// Quotes are removed and spaces around fields trimmed; empty fields stay as empty strings.
    public static func split(_ text: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            switch character {
            case "\"":
                quoted.toggle()
            case "," where !quoted:
                fields.append(ATLineClassifier.trimmed(current))
                current = ""
            default:
                current.append(character)
            }
        }
        fields.append(ATLineClassifier.trimmed(current))
        return fields
    }

    /// Converts an SMS timestamp `yy/MM/dd,hh:mm:ss±zz` (zone in quarter hours, TS 27.005 3.3.1)
    /// to ISO 8601 with the offset, such as `2026-02-02T18:00:00-03:00`; `nil` when malformed.
    ///
    /// Years are read as 20yy.
    public static func isoTimestamp(_ text: String) -> String? {
        let characters = Array(text)
        guard characters.count == 20, characters[2] == "/", characters[5] == "/", characters[8] == ",",
            characters[11] == ":", characters[14] == ":", characters[17] == "+" || characters[17] == "-",
            let quarters = Int(String(characters[18...19]))
        else { return nil }
        let digitPositions = [0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16]
        guard digitPositions.allSatisfy({ characters[$0].isASCII && characters[$0].isNumber }) else { return nil }
        let part = { (start: Int) in String(characters[start...start + 1]) }
        let offsetMinutes = quarters * 15
        let offset = "\(characters[17])\(twoDigits(offsetMinutes / 60)):\(twoDigits(offsetMinutes % 60))"
        return "20\(part(0))-\(part(3))-\(part(6))T\(part(9)):\(part(12)):\(part(15))\(offset)"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
