import Foundation
import SMSCodec
import Testing

@testable import SMPP

/// Packed GSM 7-bit user data as an SMSC set to pack it sends it, with and without a header.
struct GSMSeptetUnpackingTests {
    /// Septets of `text` in the GSM default alphabet, one per octet.
    func septets(_ text: String) -> [UInt8] {
        try! GSMAlphabet.encode(text)
    }

    /// Every length from 1 to 20 septets comes back as packed, with '@' inside the text. The 7
    /// spare bits after 7 or 15 septets are not read as a trailing '@'.
    @Test(arguments: 1...20)
    func roundTripWithoutHeader(length: Int) throws {
        let text = String("Mtg@ 9:30 at the gym".prefix(length))
        let packed = SeptetPacking.pack(septets(text))
        let userData = try GSMSeptetUnpacking.unpack(packed, hasHeader: false)
        #expect(userData.header == nil)
        #expect(userData.septets == septets(text))
    }

    /// After a concatenation header of 6 or 7 octets the text starts after the fill bits
    /// (1 bit and 0 bits), and the header's fields are read.
    @Test(arguments: [ConcatenationInfo.ReferenceWidth.eightBit, .sixteenBit], [1, 6, 7, 8, 152, 153])
    func roundTripAfterHeader(width: ConcatenationInfo.ReferenceWidth, length: Int) throws {
        let info = ConcatenationInfo(referenceWidth: width, reference: 0x2A, totalParts: 3, sequenceNumber: 2)
        let header = UserDataHeader(concatenation: info).encoded
        let text = Array(repeating: septets("Go@ to hall B "), count: 20).flatMap { $0 }.prefix(length)
        let fillBits = SeptetPacking.fillBits(afterHeaderOfLength: header.count)
        let packed = header + SeptetPacking.pack(Array(text), fillBits: fillBits)
        let userData = try GSMSeptetUnpacking.unpack(packed, hasHeader: true)
        #expect(userData.header?.concatenation == info)
        #expect(userData.septets == Array(text))
    }

    /// The common packing example: E8329BFD4697D9EC37 reads as "hellohello".
    @Test func goldenOctets() throws {
        let userData = try GSMSeptetUnpacking.unpack(try Hex.decode("E8329BFD4697D9EC37"), hasHeader: false)
        #expect(GSMAlphabet.decode(userData.septets) == "hellohello")
    }

    /// A header that runs past the data throws, and empty data has no text.
    @Test func truncatedAndEmpty() throws {
        #expect(throws: SMSCodec.PDUDecodingError.self) {
            try GSMSeptetUnpacking.unpack([0x05, 0x00, 0x03], hasHeader: true)
        }
        #expect(try GSMSeptetUnpacking.unpack([], hasHeader: false).septets == [])
        #expect(try GSMSeptetUnpacking.unpack([0x05, 0x00, 0x03, 0x01, 0x02, 0x01], hasHeader: true).septets == [])
    }

    /// ENC-01's decode case: on an unpacked link its short_message reads as the expected text, and
    /// the same septets packed read the same on a packed link, '@' and escapes included.
    @Test func fieldCaseENC01() throws {
        let fieldCase = try FieldCase.load("ENC-01")
        let decode = fieldCase.input["decode"] as! [String: Any]
        let expected = (fieldCase.expected["decode"] as! [String: Any])["text"] as! String
        let unpacked = try Hex.decode(decode["short_message_hex"] as! String)
        #expect(unpacked.count == decode["sm_length"] as! Int)

        for (packsGSM, shortMessage) in [(false, unpacked), (true, SeptetPacking.pack(unpacked))] {
            var assembler = InboundSMSAssembler(packsGSM: packsGSM)
            let deliverSM = DeliverSM(
                sourceAddressTON: 1,
                sourceAddress: "447700900123",
                dataCoding: UInt8(decode["data_coding"] as! Int),
                shortMessage: shortMessage
            )
            let message = assembler.receive(deliverSM, at: Date())
            #expect(message?.text == expected, "packed: \(packsGSM)")
        }
    }

    /// On a packed link, 8-bit and UCS-2 parts are read as they are: only data_coding 0 is unpacked.
    @Test func otherCodingsAreNotUnpacked() {
        var assembler = InboundSMSAssembler(packsGSM: true)
        let ucs2 = DeliverSM(sourceAddress: "447700900123", dataCoding: 8, shortMessage: UCS2.encode("Да"))
        #expect(assembler.receive(ucs2, at: Date())?.text == "Да")
        let binary = DeliverSM(sourceAddress: "447700900123", dataCoding: 4, shortMessage: [0x01, 0x02])
        #expect(assembler.receive(binary, at: Date())?.payload == [0x01, 0x02])
    }
}
