/// One unit cut out of the byte stream: a text line or the `> ` prompt.
public enum ATFrame: Sendable, Hashable {
    /// A non-empty line without its line end.
    case line(String)
    /// The `> ` prompt, which comes without a line end.
    case prompt
}

/// Counters for input the framer and parser dropped or repaired. Monotonic.
public struct ATInputStatistics: Sendable, Hashable {
    /// NUL bytes removed from the stream.
    public var nulBytes = 0
    /// Other control bytes (besides CR, LF and TAB) removed, such as an echoed Ctrl-Z.
    public var controlBytes = 0
    /// Lines longer than the limit, dropped whole up to their line end.
    public var overlongLines = 0
    /// Lines that were not valid UTF-8; kept with U+FFFD in place of the bad bytes.
    public var invalidUTF8Lines = 0
    /// Two-line codes whose second line was missing or malformed; the header was dropped.
    public var malformedUnsolicited = 0

    public init() {}

    /// Sum of all counters, to tell quickly whether anything was dropped.
    public var total: Int { nulBytes + controlBytes + overlongLines + invalidUTF8Lines + malformedUnsolicited }
}

/// Cuts a modem byte stream into lines and prompts. Pure: bytes in, frames out.
///
/// CR, LF and CRLF (and the CRCRLF an echo produces) all end a line; empty lines are skipped.
/// A line is bounded by `maximumLineLength` bytes: a longer one is counted and dropped up to
/// its line end, so it never runs into the next message. The prompt is recognised at the start
/// of a line as `"> "`, as a line that holds only `>`, and, when `expectingPrompt` is set, as a
/// lone `>` with nothing after it yet.
public struct ATLineFramer: Sendable {
    /// The longest line kept, in bytes; 4 KiB fits the longest PDU line (about 350 hex digits)
    /// many times over.
    public let maximumLineLength: Int
    /// Set while the command in progress waits for a prompt, so that a bare `>` counts as one.
    public var expectingPrompt = false
    /// Counters of dropped or repaired input.
    public private(set) var statistics = ATInputStatistics()

    private var buffer: [UInt8] = []
    private var discardingOverlong = false
    private var swallowSpaceAfterPrompt = false

    public init(maximumLineLength: Int = 4096) {
        precondition(maximumLineLength >= 2, "a line limit below 2 bytes cannot hold a prompt")
        self.maximumLineLength = maximumLineLength
        buffer.reserveCapacity(256)
    }

    /// Consumes `bytes` and returns the complete frames they finish, in order.
    ///
    /// Bytes of an unfinished line stay buffered for the next call.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [ATFrame] where Bytes.Element == UInt8 {
        var frames: [ATFrame] = []
        for byte in bytes {
            if let frame = consume(byte) { frames.append(frame) }
        }
        if expectingPrompt, buffer == [UInt8(ascii: ">")] {
            buffer.removeAll(keepingCapacity: true)
            swallowSpaceAfterPrompt = true
            frames.append(.prompt)
        }
        return frames
    }

    /// Drops any unfinished line, for example after the port was reopened.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        discardingOverlong = false
        swallowSpaceAfterPrompt = false
    }

    private mutating func consume(_ byte: UInt8) -> ATFrame? {
        let isSwallowedSpace = swallowSpaceAfterPrompt && byte == UInt8(ascii: " ") && buffer.isEmpty
        swallowSpaceAfterPrompt = false
        if isSwallowedSpace { return nil }

        switch byte {
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
            return endLine()
        case 0:
            statistics.nulBytes += 1
            return nil
        case 0x01...0x1F where byte != UInt8(ascii: "\t"), 0x7F:
            statistics.controlBytes += 1
            return nil
        default:
            return append(byte)
        }
    }

    private mutating func append(_ byte: UInt8) -> ATFrame? {
        if discardingOverlong { return nil }
        guard buffer.count < maximumLineLength else {
            statistics.overlongLines += 1
            discardingOverlong = true
            buffer.removeAll(keepingCapacity: true)
            return nil
        }
        buffer.append(byte)

        // "> " at the start of a line is the prompt; the modem sends no line end after it.
        if buffer.count == 2, buffer[0] == UInt8(ascii: ">"), buffer[1] == UInt8(ascii: " ") {
            buffer.removeAll(keepingCapacity: true)
            return .prompt
        }
        return nil
    }

    private mutating func endLine() -> ATFrame? {
        if discardingOverlong {
            discardingOverlong = false
            return nil
        }
        guard !buffer.isEmpty else { return nil }
        defer { buffer.removeAll(keepingCapacity: true) }
        if buffer == [UInt8(ascii: ">")] { return .prompt }
        if let text = String(validating: buffer, as: UTF8.self) { return .line(text) }
        statistics.invalidUTF8Lines += 1
        return .line(String(decoding: buffer, as: UTF8.self))
    }
}
