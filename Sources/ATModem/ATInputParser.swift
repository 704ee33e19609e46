/// Turns the modem's byte stream into classified lines. Pure: bytes in, lines out.
///
/// Combines `ATLineFramer` with `ATLineClassifier` and the state that single lines cannot
/// carry: the second line of a two-line unsolicited code (`+CDS: 25` and its PDU line, `+CMT`),
/// the echo of the command in progress, and the information prefix that command expects.
/// The owner of the command in progress sets `responsePrefix`, `echoCandidates` and
/// `expectingPrompt` before it writes a command and clears them when the command ends.
public struct ATInputParser: Sendable {
    /// Lines with this prefix are responses, not unsolicited codes (`+CREG:` during `AT+CREG?`).
    public var responsePrefix: String?
    /// Lines that, received exactly (ignoring case and spaces), are the modem echoing what was sent.
    public var echoCandidates: [String] = []
    /// Whether a lone `>` should count as the prompt.
    public var expectingPrompt: Bool {
        get { framer.expectingPrompt }
        set { framer.expectingPrompt = newValue }
    }

    /// Counters of input the framer and parser dropped or repaired.
    public var statistics: ATInputStatistics {
        var statistics = framer.statistics
        statistics.malformedUnsolicited = malformedUnsolicited
        return statistics
    }

    private var framer: ATLineFramer
    private var pendingHeader: UnsolicitedResultCode?
    private var malformedUnsolicited = 0

    /// - Parameter maximumLineLength: the framer's line limit in bytes.
    public init(maximumLineLength: Int = 4096) {
        framer = ATLineFramer(maximumLineLength: maximumLineLength)
    }

    /// Consumes `bytes` and returns the lines they complete, in arrival order.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [ATLine] where Bytes.Element == UInt8 {
        var lines: [ATLine] = []
        for frame in framer.feed(bytes) {
            lines.append(contentsOf: process(frame))
        }
        return lines
    }

    /// Forgets partial input and a pending two-line code, for example after the port was reopened.
    public mutating func reset() {
        framer.reset()
        if pendingHeader != nil { malformedUnsolicited += 1 }
        pendingHeader = nil
    }

    private mutating func process(_ frame: ATFrame) -> [ATLine] {
        guard case .line(let text) = frame else {
            return abandonPendingHeader() + [.prompt]
        }
        if let header = pendingHeader {
            pendingHeader = nil
            if let complete = completing(header, with: text) { return [.unsolicited(complete)] }
            malformedUnsolicited += 1
        }
        if isEcho(text) { return [.echo(text)] }

        let line = ATLineClassifier.classify(text, responsePrefix: responsePrefix)
        if case .unsolicited(let code) = line, ATLineClassifier.takesSecondLine(code) {
            pendingHeader = code
            return []
        }
        return [line]
    }

    private mutating func abandonPendingHeader() -> [ATLine] {
        if pendingHeader != nil { malformedUnsolicited += 1 }
        pendingHeader = nil
        return []
    }

    /// Completes the two-line code `header` with `text`, or returns `nil` when `text` cannot be its second line.
    private func completing(_ header: UnsolicitedResultCode, with text: String) -> UnsolicitedResultCode? {
        switch header {
        case .statusReport(_, let tpduLength):
            guard ATHex.isHex(text), text.count % 2 == 0, text.count / 2 > tpduLength else { return nil }
            return .statusReport(pduHex: text.uppercased(), tpduLength: tpduLength)
        case .newMessage(let headerLine, _):
            return .newMessage(header: headerLine, pdu: text)
        default:
            return nil
        }
    }

    private func isEcho(_ text: String) -> Bool {
        guard !echoCandidates.isEmpty else { return false }
        let received = ATLineClassifier.trimmed(text).uppercased()
        return echoCandidates.contains { ATLineClassifier.trimmed($0).uppercased() == received }
    }
}

/// Hex helpers for PDU lines.
public enum ATHex {
    /// Checks that `text` is non-empty and contains only hex digits.
    public static func isHex(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isHexDigit($0) }
    }

    /// Upper-case hex of `bytes`, two digits per byte.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text` into bytes, or returns `nil` for an odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool { value(byte) != nil }

    private static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
