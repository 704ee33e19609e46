import Testing

@testable import SMPP

/// Receipts read from deliver_sm, with TLVs winning over the text.
struct DeliveryReceiptTests {
    /// receipted_message_id, message_state and network_error_code override the text's values.
    @Test func tlvsWinOverText() throws {
        var parameters: [TLV] = []
        parameters.receiptedMessageID = "ABC"
        parameters.messageState = .undeliverable
        parameters.networkErrorCode = NetworkErrorCode(networkType: 3, errorCode: 0x22)
        let deliverSM = DeliverSM(
            esmClass: 0x04,
            shortMessage: Array(
                "id:0000000abc sub:001 dlvrd:001 submit date:2603141022 done date:2603141023 stat:DELIVRD err:000 text:"
                    .utf8
            ),
            parameters: parameters
        )
        let receipt = try DeliveryReceipt(deliverSM: deliverSM)
        #expect(receipt.messageID == "ABC")
        #expect(receipt.messageState == .undeliverable)
        #expect(receipt.status == .undelivered)
        #expect(receipt.stat == "DELIVRD")
        #expect(receipt.networkErrorCode == NetworkErrorCode(networkType: 3, errorCode: 0x22))
    }

    /// A receipt with an empty text but the TLVs still reads.
    @Test func tlvOnlyReceipt() throws {
        var parameters: [TLV] = []
        parameters.receiptedMessageID = "42"
        parameters.messageState = .delivered
        let receipt = try DeliveryReceipt(
            deliverSM: DeliverSM(esmClass: 0x04, shortMessage: [], parameters: parameters)
        )
        #expect(receipt.messageID == "42")
        #expect(receipt.status == .delivered)
    }

    /// An inbound SMS is not a receipt, and a receipt naming no message is an error.
    @Test func rejectsNonReceipts() {
        #expect(throws: DeliveryReceiptError.notAReceipt(esmClass: 0)) {
            try DeliveryReceipt(deliverSM: DeliverSM(shortMessage: Array("hello".utf8)))
        }
        #expect(throws: DeliveryReceiptError.self) {
            try DeliveryReceipt(deliverSM: DeliverSM(esmClass: 0x04, shortMessage: Array("stat:DELIVRD".utf8)))
        }
    }

    /// The formatted text parses back to the same fields.
    @Test func formattedTextRoundTrips() throws {
        let receipt = DeliveryReceipt(
            messageID: "17",
            submitted: 1,
            delivered: 0,
            submitDate: ReceiptDate(year: 2026, month: 3, day: 14, hour: 10, minute: 22),
            doneDate: ReceiptDate(year: 2026, month: 3, day: 14, hour: 10, minute: 23, second: 5),
            stat: "UNDELIV",
            messageState: .undeliverable,
            error: "001",
            text: "Hello stat:DELIVRD"
        )
        #expect(try DeliveryReceipt(parsing: receipt.formattedText) == receipt)
    }
}
