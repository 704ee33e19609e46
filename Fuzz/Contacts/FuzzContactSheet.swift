/// libFuzzer entry point: feeds arbitrary bytes to the contacts CSV reader and the contact
/// sheet checks, as `lifeline contacts import` does.
///
/// Input layout: octet 0 picks the default region (none, GB, US, DE, FR or IN); the rest is the file.
///
/// Properties checked:
/// - nothing traps, and record lines never go down;
/// - records written back as CSV with every field quoted read back to the same fields;
/// - every accepted row has an E.164 number (a `+` and digits) that no other accepted row has,
///   and starts after the header line;
/// - rows and rejections together never outnumber the records after the header.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContactSheet(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let regions: [String?] = [nil, "GB", "US", "DE", "FR", "IN"]
    let region = regions[Int(data[0]) % regions.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    let records: [CSVRecord]
    do {
        records = try CSVReader(bytes: bytes).records()
    } catch {
        _ = try? ContactSheet(csv: bytes, defaultRegion: region)
        return 0
    }
    for (earlier, later) in zip(records, records.dropFirst()) {
        precondition(earlier.line < later.line, "record lines go down: \(earlier.line) then \(later.line)")
    }
    // Quotes are doubled in the UTF-8 bytes: String's replacingOccurrences compares characters,
    // and a quote followed by a combining mark is one character that is not a quote.
    var written: [UInt8] = []
    for (index, record) in records.enumerated() {
        if index > 0 { written += [0x0D, 0x0A] }
        for (column, field) in record.fields.enumerated() {
            if column > 0 { written.append(0x2C) }
            written.append(0x22)
            for byte in field.utf8 { written += byte == 0x22 ? [0x22, 0x22] : [byte] }
            written.append(0x22)
        }
    }
    do {
        let reread = try CSVReader(bytes: written).records()
        precondition(reread.map(\.fields) == records.map(\.fields), "quoted records do not read back the same")
    } catch {
        preconditionFailure("quoted records do not read back: \(error)")
    }

    guard let sheet = try? ContactSheet(csv: bytes, defaultRegion: region) else { return 0 }
    precondition(sheet.rows.count + sheet.rejections.count <= records.count - 1, "more rows than records")
    var numbers: Set<String> = []
    for row in sheet.rows {
        let number = row.contact.number
        precondition(number.first == "+" && number.dropFirst().allSatisfy(\.isASCII), "not E.164: \(number)")
        precondition(number.dropFirst().allSatisfy(\.isNumber), "not E.164: \(number)")
        precondition(numbers.insert(number).inserted, "number accepted twice: \(number)")
        precondition(row.line > records[0].line, "a row on or before the header line")
    }
    return 0
}
