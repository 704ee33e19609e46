// libFuzzer entry point for the TPDU decoder. Built by run.sh together with Sources/SMSCodec/*.swift
// as one module, so it calls the codec directly.
//
// Input: the first octet's low bit is set when an SMSC field leads, and the rest is the PDU.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTPDUDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let hasSMSC = bytes[0] & 0x01 != 0
    let pdu = Array(bytes.dropFirst())

    guard let decoded = try? TPDUDecoder.decode(pdu, hasSMSC: hasSMSC) else { return 0 }
    precondition(decoded.tpduLength + decoded.trailingOctets <= pdu.count, "decoder claims more octets than given")

    // Describing and rendering must not fail on anything the decoder accepted.
    let description = TPDUDescription(decoded)
    _ = description.renderText()
    switch decoded.tpdu {
    case .deliver(let deliver):
        _ = try? deliver.userData.text()
        _ = try? deliver.encode()
    case .submit(let submit):
        _ = try? submit.userData.text()
        _ = try? submit.encode(smsc: .absent)
    case .statusReport(let report):
        _ = report.status.meaning
        _ = try? report.userData?.text()
        _ = try? report.encode()
    }
    return 0
}
