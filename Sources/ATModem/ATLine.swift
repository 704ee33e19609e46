/// One classified line from the modem.
public enum ATLine: Sendable, Hashable {
    /// A final result code that ends the command in progress.
    case final(ATFinalResult)
    /// A line of a command's response, such as `+CSQ: 17,99` or a PDU after `+CMGR:`.
    case information(String)
    /// The `> ` prompt that requests the message body after `AT+CMGS`.
    case prompt
    /// A code the modem sent on its own.
    case unsolicited(UnsolicitedResultCode)
    /// The modem repeated the command (echo on); discarded.
    case echo(String)
}

/// Sorts single lines into `ATLine` values. Pure: no state, no I/O.
public enum ATLineClassifier {
    /// Prefixes of codes that a modem sends on its own. A line with one of these prefixes is
    /// a response only when the command in progress expects it (see `responsePrefix`).
    static let unsolicitedPrefixes: [String] = [
        "+CMTI:", "+CMT:", "+CDS:", "+CDSI:", "+CREG:", "+CGREG:", "+CEREG:", "+CBM:", "+CBMI:",
        "+CUSD:", "+CLIP:", "+CRING:", "+CCWA:", "+CIEV:", "+CPIN:", "+QIND:", "+PACSP",
    ]

    /// Classifies one line that has no line end.
    ///
    /// - Parameters:
    ///   - line: the line, without CR or LF.
    ///   - responsePrefix: the information prefix the command in progress expects (`+CREG:` for
    ///     `AT+CREG?`); a line with this prefix is a response even though the same prefix also
    ///     marks an unsolicited code. `nil` when no command is in progress.
    /// - Returns: the line's class; a first line of a two-line code comes back as
    ///   `.unsolicited` with an empty second part, which `ATInputParser` fills in.
    public static func classify(_ line: String, responsePrefix: String? = nil) -> ATLine {
        if let final = finalResult(line) { return .final(final) }
        if line == ">" || line == "> " { return .prompt }
        if let prefix = responsePrefix, line.hasPrefix(prefix) { return .information(line) }
        if let code = unsolicited(line) { return .unsolicited(code) }
        return .information(line)
    }

    /// Parses `line` as a final result code, or returns `nil` when it is none.
    public static func finalResult(_ line: String) -> ATFinalResult? {
        switch line {
        case "OK": return .ok
        case "ERROR": return .error
        case "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE": return .callFailure(line)
        default: break
        }
        if let detail = value(of: line, prefix: "+CME ERROR:") {
            if let code = Int(detail) { return .cmeError(CMEErrorCode(code)) }
            if let code = CMEErrorCode(verbose: detail) { return .cmeError(code) }
            return .cmeErrorText(detail)
        }
        if let detail = value(of: line, prefix: "+CMS ERROR:") {
            if let code = Int(detail) { return .cmsError(CMSErrorCode(code)) }
            if let code = CMSErrorCode(verbose: detail) { return .cmsError(code) }
            return .cmsErrorText(detail)
        }
        return nil
    }

    /// Parses `line` as the start of an unsolicited code, or returns `nil` when it is none.
    static func unsolicited(_ line: String) -> UnsolicitedResultCode? {
        if line == "RING" { return .ring }
        if line.hasPrefix("^") { return .other(line) }
        if let fields = value(of: line, prefix: "+CMTI:"), let (storage, index) = storageAndIndex(fields) {
            return .newMessageStored(storage: storage, index: index)
        }
        if let fields = value(of: line, prefix: "+CDSI:"), let (storage, index) = storageAndIndex(fields) {
            return .statusReportStored(storage: storage, index: index)
        }
        if let fields = value(of: line, prefix: "+CDS:") {
            if let length = Int(fields) { return .statusReport(pduHex: "", tpduLength: length) }
            return .statusReportText(fields)
        }
        if line.hasPrefix("+CMT:") { return .newMessage(header: line, pdu: "") }
        for prefix in ["+CREG:", "+CGREG:", "+CEREG:"] {
            if let fields = value(of: line, prefix: prefix) { return .registration(prefix: prefix, fields: fields) }
        }
        if unsolicitedPrefixes.contains(where: { line.hasPrefix($0) }) { return .other(line) }
        return nil
    }

    /// Checks whether `code` is the header of a two-line code whose next line belongs to it.
    static func takesSecondLine(_ code: UnsolicitedResultCode) -> Bool {
        switch code {
        case .statusReport, .newMessage: true
        default: false
        }
    }

    /// Returns the text after `prefix` trimmed of spaces, or `nil` when `line` does not start with it.
    static func value(of line: String, prefix: String) -> String? {
        guard line.hasPrefix(prefix) else { return nil }
        return trimmed(String(line.dropFirst(prefix.count)))
    }

    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }

    /// Splits `"SM",4` into the storage name without quotes and the index.
    static func storageAndIndex(_ fields: String) -> (String, Int)? {
        let parts = fields.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(trimmed(String(parts[1]))) else { return nil }
        let storage = trimmed(String(parts[0])).filter { $0 != "\"" }
        return (storage, index)
    }
}
