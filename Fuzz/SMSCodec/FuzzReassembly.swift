// libFuzzer entry point for user data header parsing and reassembly of concatenated parts.
// Built by run.sh together with Sources/SMSCodec/*.swift as one module.
//
// Input: a run of records [sender octet, clock step octet, alphabet octet, length octet, user data].
// Each user data starts with a header; its concatenation element, if any, drives the reassembler.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReassembly(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var reassembler = ConcatenationReassembler(timeout: 60)
    var now = Date(timeIntervalSince1970: 1_700_000_000)
    var index = 0
    while index + 4 <= bytes.count {
        let sender = "sender-\(bytes[index] % 4)"
        now += TimeInterval(bytes[index + 1])
        let alphabets: [DataCodingScheme.Alphabet] = [.gsm7, .ucs2, .eightBit]
        let alphabet = alphabets[Int(bytes[index + 2]) % alphabets.count]
        let length = min(Int(bytes[index + 3]), bytes.count - index - 4)
        let userData = Array(bytes[(index + 4)..<(index + 4 + length)])
        index += 4 + length

        guard let (header, headerLength) = try? UserDataHeader.parse(userData) else { continue }
        precondition(headerLength <= userData.count, "header longer than the user data")
        precondition(header.encoded.count == headerLength, "header does not re-encode to its length")
        let part = ConcatenationReassembler.Part(
            sender: sender,
            concatenation: header.concatenation,
            alphabet: alphabet,
            payload: Array(userData[headerLength...]),
            receivedAt: now
        )
        if let message = reassembler.receive(part) {
            precondition(message.partCount >= 1, "a message with no parts")
            _ = try? message.text()
        }
        for expired in reassembler.expire(now: now) {
            precondition(!expired.missingSequenceNumbers.isEmpty, "an expired message with no missing part")
        }
    }
    return 0
}
