import Foundation

/// libFuzzer entry point: feeds arbitrary octets to the PDU framer, the frame decoder and a
/// bound session.
///
/// Properties checked: nothing traps, a frame that decodes re-encodes to a frame that decodes
/// to the same PDU, and the session never sends a PDU with a sequence number outside
/// 0x00000001...0x7FFFFFFF unless it echoes the peer's number.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPDUDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))

    var buffer = input
    while true {
        do {
            guard let pdu = try PDU.decode(from: &buffer) else { break }
            let reencoded = pdu.encoded()
            if let again = try? PDU(decoding: reencoded) {
                precondition(again == pdu, "re-encoded PDU decodes differently")
            }
        } catch PDUDecodingError.commandLengthOutOfRange {
            break
        } catch {
            continue
        }
    }

    let now = ContinuousClock.now
    var session = SMPPSession(
        configuration: .init(bind: BindRequest(mode: .transceiver, systemID: "fuzz", password: "fuzz"))
    )
    _ = session.connectionOpened(now: now)
    let bound = PDU(sequenceNumber: 1, body: .bindResponse(BindResponse(mode: .transceiver, systemID: "SMSC")))
    _ = session.received(bound.encoded(), now: now)
    for action in session.received(input, now: now) {
        if case .send(let pdu) = action, case .submitSM = pdu.body {
            precondition((1...0x7FFF_FFFF).contains(pdu.sequenceNumber), "own sequence number out of range")
        }
    }
    _ = session.timerFired(now: now + .seconds(3600))
    return 0
}
