/// Shape checks for values that other modules validate in full (phone numbers, URLs, hosts).
///
/// These catch typos at load time; they do not normalise anything.
enum ValueShape {
    static let phoneNumberForm = "an international number: + then 8 to 15 digits, such as \"+447700900123\""
    static let senderForm =
        "an international number (+ then 8 to 15 digits) or an alphanumeric sender of 1 to 11 letters and digits"

    /// Checks for `+` then 8 to 15 digits. E.164 allows at most 15 digits, and the lower bound
    /// rejects numbers cut short.
    static func isPhoneNumber(_ text: String) -> Bool {
        guard text.hasPrefix("+") else { return false }
        let digits = text.dropFirst()
        return (8...15).contains(digits.count) && digits.allSatisfy(isASCIIDigit)
    }

    /// Checks for a phone number, or an alphanumeric sender ID of letters, digits and spaces with
    /// at least one letter. Eleven GSM 7-bit characters fill the 10-octet originator address of an SMS.
    static func isSender(_ text: String) -> Bool {
        if isPhoneNumber(text) {
            return true
        }
        return (1...11).contains(text.count)
            && text.allSatisfy { isASCIIDigit($0) || isASCIILetter($0) || $0 == " " }
            && text.contains(where: isASCIILetter)
    }

    static let smppSourceForm =
        "a number (digits, optionally after +, at most 20) or an alphanumeric sender of 1 to 11 letters and digits"

    /// Checks for an SMPP `source_addr`: an alphanumeric sender, or a number of up to 20 digits with or
    /// without `+` (short codes and national numbers included), since `source_addr` is at most 21 octets.
    static func isSMPPSource(_ text: String) -> Bool {
        if isSender(text) {
            return true
        }
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return (1...20).contains(digits.count) && digits.allSatisfy(isASCIIDigit)
    }

    /// Checks for lower-case letters, digits and `-`, as used in provider ids, metric labels and URLs.
    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { isASCIIDigit($0) || ("a"..."z").contains($0) || $0 == "-" }
    }

    /// Checks for an `http://` or `https://` URL with a host, no spaces and, when a `:` follows
    /// the host, a port from 1 to 65535.
    static func isHTTPURL(_ text: String) -> Bool {
        hasHTTPSchemeAndHost(text) && hasValidHTTPPort(text)
    }

    /// Checks for an `http://` or `https://` URL with a host (a name, an address or a bracketed
    /// IPv6 address) and no spaces, whatever follows the host.
    static func hasHTTPSchemeAndHost(_ text: String) -> Bool {
        guard let host = httpHost(text) else { return false }
        return !host.isEmpty && !text.contains(where: { $0.isWhitespace })
    }

    /// Checks what follows the host of an `http://` or `https://` URL: nothing, a path or query,
    /// or `:` with a port from 1 to 65535 before them. `https://host:/` fails.
    static func hasValidHTTPPort(_ text: String) -> Bool {
        guard let host = httpHost(text) else { return false }
        let afterHost = text[host.endIndex...]
        guard afterHost.first == ":" else { return true }
        let digits = afterHost.dropFirst().prefix(while: isASCIIDigit)
        guard digits.count <= 5, let port = Int(digits), (1...65535).contains(port) else { return false }
        let afterPort = afterHost.dropFirst(1 + digits.count)
        return afterPort.isEmpty || afterPort.first == "/" || afterPort.first == "?"
    }

    /// Returns the host part of an `http://` or `https://` URL, or nil for another scheme or an
    /// unclosed `[`.
    private static func httpHost(_ text: String) -> Substring? {
        let rest: Substring
        if text.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        guard rest.hasPrefix("[") else {
            return rest.prefix(while: { $0 != "/" && $0 != ":" && $0 != "?" })
        }
        guard let end = rest.firstIndex(of: "]") else { return nil }
        return rest[...end]
    }

    /// Checks for a DNS name or an IPv4/IPv6 address: letters, digits, `.`, `-`, `:` and no spaces.
    static func isHost(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253
            && text.allSatisfy { isASCIIDigit($0) || isASCIILetter($0) || $0 == "." || $0 == "-" || $0 == ":" }
    }

    /// Checks for an ISO 3166-1 alpha-2 code in upper case, such as `GB`.
    static func isRegionCode(_ text: String) -> Bool {
        text.count == 2 && text.allSatisfy { ("A"..."Z").contains($0) }
    }

    /// Checks for an AWS region name such as `eu-west-2` or `us-gov-west-1`.
    static func isAWSRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, last.allSatisfy(isASCIIDigit), !last.isEmpty else {
            return false
        }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { ("a"..."z").contains($0) } }
    }

    private static func isASCIIDigit(_ character: Character) -> Bool {
        ("0"..."9").contains(character)
    }

    private static func isASCIILetter(_ character: Character) -> Bool {
        ("a"..."z").contains(character) || ("A"..."Z").contains(character)
    }
}
