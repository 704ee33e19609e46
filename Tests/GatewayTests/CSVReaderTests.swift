import Foundation
import Testing

@testable import Gateway

@Suite struct CSVReaderTests {
    private func records(_ text: String) throws -> [CSVRecord] {
        try CSVReader(bytes: Array(text.utf8)).records()
    }

    /// Quoted fields keep commas, doubled quotes and line breaks; CRLF and LF both end records,
    /// and each record keeps the line it starts on.
    @Test func quotedFieldsAndLineEnds() throws {
        let text = "number,name,note\r\n+447700900001,\"Lee, Ann\",\"say \"\"hi\"\"\"\n+447700900002,Bob,\"two\nlines\"\r\n+447700900003,,\"\""
        let parsed = try records(text)
        #expect(parsed == [
            CSVRecord(line: 1, fields: ["number", "name", "note"]),
            CSVRecord(line: 2, fields: ["+447700900001", "Lee, Ann", "say \"hi\""]),
            CSVRecord(line: 3, fields: ["+447700900002", "Bob", "two\nlines"]),
            CSVRecord(line: 5, fields: ["+447700900003", "", ""]),
        ])
    }

    /// A byte-order mark is skipped and a semicolon header selects semicolons, so commas stay text.
    @Test func byteOrderMarkAndSemicolons() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("number;name\n+447700900001;Lee, Ann\n".utf8)
        let reader = CSVReader(bytes: bytes)
        #expect(reader.delimiter == .semicolon)
        #expect(try reader.records() == [
            CSVRecord(line: 1, fields: ["number", "name"]),
            CSVRecord(line: 2, fields: ["+447700900001", "Lee, Ann"]),
        ])
    }

    /// Empty lines and lines of delimiters only are skipped without shifting line numbers.
    @Test func blankLinesSkipped() throws {
        let parsed = try records("number\n\n+447700900001\n , \r\n\r\n+447700900002")
        #expect(parsed.map(\.line) == [1, 3, 6])
    }

    /// Broken files fail with the line to look at.
    @Test(arguments: [
        ("number\n\"+447700900001\n", CSVError.unterminatedQuote(line: 2)),
        ("number,name\n\"+44\"x,Ann\n", .textAfterClosingQuote(line: 2)),
    ])
    func brokenFiles(text: String, expected: CSVError) {
        #expect(throws: expected) { try records(text) }
    }

    /// Bytes that are not UTF-8 fail with their line.
    @Test func invalidUTF8() {
        let bytes = Array("number,name\n+447700900001,".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        #expect(throws: CSVError.invalidUTF8(line: 2)) { try CSVReader(bytes: bytes).records() }
    }
}
