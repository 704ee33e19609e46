/// libFuzzer entry for the AT line framer, classifier and field readers.
///
/// The first input byte picks the parser settings and the chunk size, the rest is the modem's
/// byte stream. Every line that comes out is also run through the field readers. A crash, a
/// trap or a line over the limit is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzATInput(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    guard let settings = input.first else { return 0 }
    let stream = input.dropFirst()

    let limit = 16 + Int(settings & 0x3F)
    var parser = ATInputParser(maximumLineLength: limit)
    parser.expectingPrompt = settings & 0x40 != 0
    if settings & 0x80 != 0 {
        parser.responsePrefix = "+CMGR:"
        parser.echoCandidates = ["AT+CMGR=3"]
    }
    let chunkSize = max(1, Int(settings % 7))

    var lines: [ATLine] = []
    var index = stream.startIndex
    while index < stream.endIndex {
        let end = min(index + chunkSize, stream.endIndex)
        lines += parser.feed(stream[index..<end])
        index = end
    }

    var information: [String] = []
    for line in lines {
        switch line {
        case .information(let text), .echo(let text):
            precondition(text.utf8.count <= limit * 3, "line over the limit")
            information.append(text)
            _ = ATFields.split(text)
            _ = ATFields.isoTimestamp(text)
            _ = ATHex.decode(text)
        case .final(let result):
            _ = result.meaning
            _ = result.errorClass
        case .unsolicited(let code):
            _ = code.text
        case .prompt:
            break
        }
    }
    let response = ATResponse(command: "AT+CMGR=3", lines: information, final: .ok)
    _ = StoredMessage(response: response)
    _ = StoredStatusReportText(response: response)
    _ = parser.statistics.total
    return 0
}
