/// Reads comma- or semicolon-separated values as RFC 4180 describes, with the leniencies of
/// spreadsheet exports.
///
/// Quoted fields may contain delimiters, line breaks and doubled quotes (`""`). Lines may end in
/// CRLF, LF or CR, mixed in one file. A UTF-8 byte-order mark and a missing final line end are accepted.
/// The delimiter is the one of `,` and `;` that occurs more often outside quotes in the first
/// line (a comma on a tie), since spreadsheets in many locales export with semicolons. Lines that
/// are empty or hold only delimiters and spaces are skipped. A quote inside an unquoted field is
/// kept as text. Fields are not trimmed. The whole input is held in memory: 100,000 rows of a
/// contact list are a few megabytes.
public struct CSVReader: Sendable {
    /// The field separator.
    public enum Delimiter: UInt8, Sendable {
        case comma = 0x2C
        case semicolon = 0x3B
    }

    /// The separator in use, detected from the first line.
    public let delimiter: Delimiter
    private let bytes: [UInt8]
    private let start: Int

    private static let quote: UInt8 = 0x22
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    /// Prepares to read `bytes`, skipping a byte-order mark and detecting the delimiter.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        delimiter = Self.detectDelimiter(bytes, from: start)
    }

    /// Returns every non-blank record with the line it starts on (1-based, counting every line end,
    /// including those inside quoted fields).
    /// - Throws: `CSVError.unterminatedQuote` naming the line where the quoted field began,
    ///   `.textAfterClosingQuote` and `.invalidUTF8` naming the line.
    public func records() throws(CSVError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var wasQuoted = false
        var line = 1
        var recordLine = 1
        var index = start
        let separator = delimiter.rawValue

        func finishField() throws(CSVError) {
            guard let text = String(validating: field, as: UTF8.self) else { throw .invalidUTF8(line: line) }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func finishRecord() {
            if !Self.isBlank(fields) { records.append(CSVRecord(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case Self.quote where field.isEmpty && !wasQuoted:
                let quoteLine = line
                index = try readQuoted(from: index, into: &field, line: &line, openedOn: quoteLine)
                wasQuoted = true
                if index < bytes.count {
                    let after = bytes[index]
                    guard after == separator || after == Self.lineFeed || after == Self.carriageReturn else {
                        throw .textAfterClosingQuote(line: line)
                    }
                }
            case separator:
                try finishField()
            case Self.carriageReturn, Self.lineFeed:
                if byte == Self.carriageReturn && index < bytes.count && bytes[index] == Self.lineFeed { index += 1 }
                try finishField()
                finishRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
            }
        }
        if !field.isEmpty || wasQuoted || !fields.isEmpty { try finishField() }
        finishRecord()
        return records
    }

    /// Reads a quoted field's content after its opening quote; returns the index after the
    /// closing quote.
    private func readQuoted(
        from start: Int,
        into field: inout [UInt8],
        line: inout Int,
        openedOn quoteLine: Int
    ) throws(CSVError) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == Self.quote {
                guard index < bytes.count && bytes[index] == Self.quote else { return index }
                field.append(Self.quote)
                index += 1
                continue
            }
            let isLoneCarriageReturn =
                byte == Self.carriageReturn && !(index < bytes.count && bytes[index] == Self.lineFeed)
            if byte == Self.lineFeed || isLoneCarriageReturn { line += 1 }
            field.append(byte)
        }
        throw .unterminatedQuote(line: quoteLine)
    }

    private static func isBlank(_ fields: [String]) -> Bool {
        fields.allSatisfy { field in field.allSatisfy { $0 == " " || $0 == "\t" } }
    }

    private static func detectDelimiter(_ bytes: [UInt8], from start: Int) -> Delimiter {
        var commas = 0
        var semicolons = 0
        var quoted = false
        for byte in bytes[start...] {
            if byte == quote { quoted.toggle() }
            if quoted { continue }
            if byte == lineFeed || byte == carriageReturn { break }
            if byte == Delimiter.comma.rawValue { commas += 1 }
            if byte == Delimiter.semicolon.rawValue { semicolons += 1 }
        }
        return semicolons > commas ? .semicolon : .comma
    }
}

/// One record of a CSV file.
public struct CSVRecord: Sendable, Equatable {
    /// The 1-based line the record starts on.
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}
