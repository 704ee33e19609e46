/// One `name=value` pair of an `application/x-www-form-urlencoded` body, decoded.
public struct FormField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An error decoding a form body.
public enum FormDecodingError: Error, Sendable, Equatable {
    /// A `%` not followed by two hex digits, or escapes that are not UTF-8; carries the raw pair.
    case invalidPercentEscape(String)
}

/// `application/x-www-form-urlencoded` bodies, as the providers' APIs and webhooks use them.
public enum FormEncoding {
    /// Encodes fields in the given order. Only `A-Z a-z 0-9 - . _ ~` stay as they are; every other
    /// byte of the UTF-8 text is written `%XX`, so `+` in a phone number survives. A space is
    /// `%20`, or `+` with `spacesAsPlus`, the form AWS's own SDKs send.
    public static func encode(_ fields: [FormField], spacesAsPlus: Bool = false) -> String {
        fields.map { field in
            "\(escape(field.name, spacesAsPlus: spacesAsPlus))=\(escape(field.value, spacesAsPlus: spacesAsPlus))"
        }
        .joined(separator: "&")
    }

    /// Decodes a body into fields in arrival order; `+` means a space. A pair without `=` has an
    /// empty value; empty pairs (`a=1&&b=2`) are skipped.
    /// - Throws: `FormDecodingError.invalidPercentEscape` for a broken `%` escape.
    public static func decode(_ body: String) throws(FormDecodingError) -> [FormField] {
        var fields: [FormField] = []
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try unescape(parts[0], pair: pair)
            let value = parts.count > 1 ? try unescape(parts[1], pair: pair) : ""
            fields.append(FormField(name: name, value: value))
        }
        return fields
    }

    private static func escape(_ text: String, spacesAsPlus: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else if spacesAsPlus, byte == UInt8(ascii: " ") {
                result += "+"
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func unescape(_ text: Substring, pair: Substring) throws(FormDecodingError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .invalidPercentEscape(String(pair))
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .invalidPercentEscape(String(pair)) }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
