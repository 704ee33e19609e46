import Foundation

/// A TP-SCTS or TP-DT timestamp (TS 23.040 section 9.2.3.11): local time of the service centre
/// plus its offset from UTC in quarter hours, each field as two swapped semi-octets.
public struct ServiceCentreTimestamp: Sendable, Hashable, Codable {
    /// Year 2000...2099. The field contains two digits and no century, so the century is taken as 2000.
    public var year: Int
    /// Month 1...12.
    public var month: Int
    /// Day of month 1...31, checked against the month's length.
    public var day: Int
    /// Hour 0...23 in the service centre's local time.
    public var hour: Int
    /// Minute 0...59.
    public var minute: Int
    /// Second 0...59.
    public var second: Int
    /// Local time minus UTC in minutes, a multiple of 15 (for example -180 for UTC-3).
    public var utcOffsetMinutes: Int

    /// The instant, in UTC.
    public var date: Date {
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - utcOffsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// ISO 8601 with the original offset, for example "2026-02-01T10:15:00-03:00".
    public var iso8601: String {
        let sign = utcOffsetMinutes < 0 ? "-" : "+"
        let offset = abs(utcOffsetMinutes)
        return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second))"
            + "\(sign)\(pad(offset / 60)):\(pad(offset % 60))"
    }

    /// Creates a timestamp from the instant and the offset to show it in. The offset is truncated
    /// toward zero to a quarter hour and clamped to ±79 quarters, the most the field holds.
    public init(date: Date, utcOffsetMinutes: Int) {
        let quarters = min(max(utcOffsetMinutes / 15, -79), 79)
        self.utcOffsetMinutes = quarters * 15
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + self.utcOffsetMinutes * 60
        let days = Int((Double(local) / 86_400).rounded(.down))
        let secondsOfDay = local - days * 86_400
        let civil = Self.civilFromDays(days)
        (year, month, day) = (civil.year, civil.month, civil.day)
        hour = secondsOfDay / 3_600
        minute = secondsOfDay % 3_600 / 60
        second = secondsOfDay % 60
    }

    /// The seven octets as sent. The year is written modulo 100.
    public var encoded: [UInt8] {
        let quarters = abs(utcOffsetMinutes) / 15
        var zone = Self.swappedDigits(quarters)
        if utcOffsetMinutes < 0 { zone |= 0x08 }
        return [year % 100, month, day, hour, minute, second].map(Self.swappedDigits) + [zone]
    }

    /// Reads seven octets for `field`.
    /// - Throws: `PDUDecodingError` for a truncated field, a nibble above 9, or a date that does not exist.
    static func read(_ reader: inout ByteReader, field: String) throws(PDUDecodingError) -> ServiceCentreTimestamp {
        let start = reader.offset
        let octets = try reader.readBytes(7, field: field)
        var values: [Int] = []
        for (index, octet) in octets.enumerated() {
            let tens = index == 6 ? octet & 0x07 : octet & 0x0F
            let units = octet >> 4
            guard tens <= 9, units <= 9 else {
                throw .invalidValue(field: field, offset: start + index, value: octet, reason: "semi-octet above 9")
            }
            values.append(Int(tens) * 10 + Int(units))
        }
        let offset = (octets[6] & 0x08 != 0 ? -15 : 15) * values[6]
        let timestamp = ServiceCentreTimestamp(
            year: 2000 + values[0],
            month: values[1],
            day: values[2],
            hour: values[3],
            minute: values[4],
            second: values[5],
            utcOffsetMinutes: offset
        )
        if let bad = timestamp.firstInvalidField() {
            throw .invalidValue(
                field: field,
                offset: start + bad,
                value: octets[bad],
                reason: "not a calendar date or time"
            )
        }
        return timestamp
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffsetMinutes: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Returns the index of the first field out of range, or nil when all are valid.
    func firstInvalidField() -> Int? {
        if !(1...12).contains(month) { return 1 }
        if !(1...Self.daysInMonth(year: year, month: month)).contains(day) { return 2 }
        if hour > 23 { return 3 }
        if minute > 59 { return 4 }
        if second > 59 { return 5 }
        return nil
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func swappedDigits(_ value: Int) -> UInt8 {
        UInt8(value / 10 % 10) | UInt8(value % 10) << 4
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Converts a day count since 1970-01-01 to a proleptic Gregorian date.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private func pad(_ value: Int, _ width: Int = 2) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
