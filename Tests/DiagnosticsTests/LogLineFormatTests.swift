import Foundation
import Testing

@testable import Diagnostics

/// The text form of log records: one line per record, metadata values quoted so that an outside
/// value cannot end its field early or fake another field.
struct LogLineFormatTests {
    /// Values that need no quotes are written as they are.
    @Test(arguments: ["carrier", "42", "modem-1", "dispatcher.run", "Zürich"])
    func plainValueUnquoted(value: String) {
        #expect(StdoutLogHandler.quoteIfNeeded(value) == value)
    }

    /// Each value that could end or split a field is quoted, with `\`, `"`, LF and CR escaped.
    @Test(arguments: [
        ("", #""""#),
        ("two words", #""two words""#),
        ("a=b", #""a=b""#),
        (#"say "hi""#, #""say \"hi\"""#),
        ("line\nbreak", #""line\nbreak""#),
        ("carriage\rreturn", #""carriage\rreturn""#),
        (#"back\slash x"#, #""back\\slash x""#),
        // A quote followed by a combining acute accent is one Swift character, but the quote must
        // still be escaped, or the value would end the quoted field early.
        ("a\"\u{301} fake=1", "\"a\\\"\u{301} fake=1\""),
    ])
    func dangerousValueQuoted(value: String, expected: String) {
        #expect(StdoutLogHandler.quoteIfNeeded(value) == expected)
    }

    /// A formatted record carries its level, label, message and sorted metadata on one line.
    @Test func recordFormatted() {
        let record = LogRecord(
            level: .warning,
            label: "dispatcher",
            message: "Message failed",
            metadata: ["provider.id": "carrier", "message.id": "42", "reason": "a\"\u{301} fake=1\nnext"],
            date: Date(timeIntervalSince1970: 0)
        )
        let line = StdoutLogHandler.format(record, prefixesPriority: true)

        #expect(!line.contains("\n"))
        #expect(line.hasPrefix("<4>warning dispatcher: Message failed message.id=42 provider.id=carrier reason=\""))
        #expect(line.hasSuffix("\\n" + "next\""))
    }
}
