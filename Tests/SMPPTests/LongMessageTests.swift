import SMPP
import Simulators
import Testing

/// Long texts in each of the three forms: the `submit_sm`s built, and the SMSC simulator joining them.
@Suite(.timeLimit(.minutes(1)))
struct LongMessageTests {
    static let gsmText = String(repeating: "Evacuate building B now. ", count: 8)  // 200 septets
    static let ucs2Text = String(repeating: "Пожарная тревога ", count: 5)  // 85 UTF-16 units

    func settings(_ mode: LongMessageMode, port: UInt16 = 2775) -> SMPPLinkSettings {
        SMPPLinkSettings(
            host: "127.0.0.1",
            port: port,
            systemID: "lifeline",
            password: "secret",
            registeredDelivery: 1,
            longMessages: mode
        )
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        var mode: LongMessageMode
        var text: String
        var submits: Int
        var esmClass: UInt8
        /// `short_message` length of each submit.
        var shortMessageLengths: [Int]
        /// `message_payload` length, when present.
        var payloadLength: Int?
        var testDescription: String { "\(mode) \(text.count) characters" }
    }

    static let shapes: [Shape] = [
        Shape(mode: .udh, text: gsmText, submits: 2, esmClass: 0x40, shortMessageLengths: [6 + 153, 6 + 47]),
        Shape(mode: .sar, text: gsmText, submits: 2, esmClass: 0x00, shortMessageLengths: [152, 48]),
        Shape(mode: .payload, text: gsmText, submits: 1, esmClass: 0x00, shortMessageLengths: [0], payloadLength: 200),
        Shape(mode: .udh, text: ucs2Text, submits: 2, esmClass: 0x40, shortMessageLengths: [6 + 134, 6 + 36]),
        Shape(mode: .sar, text: ucs2Text, submits: 2, esmClass: 0x00, shortMessageLengths: [132, 38]),
        Shape(mode: .payload, text: ucs2Text, submits: 1, esmClass: 0x00, shortMessageLengths: [0], payloadLength: 170),
        Shape(mode: .sar, text: "Short", submits: 1, esmClass: 0x00, shortMessageLengths: [5]),
        Shape(mode: .payload, text: "Short", submits: 1, esmClass: 0x00, shortMessageLengths: [5]),
    ]

    /// Each form splits, marks and fills the submits as it should; a short text is one plain submit.
    @Test(arguments: shapes) func submitShapes(_ shape: Shape) throws {
        let submits = try settings(shape.mode).makeSubmits(destination: "447700900123", text: shape.text, reference: 0x1234)
        #expect(submits.count == shape.submits)
        #expect(submits.map(\.shortMessage.count) == shape.shortMessageLengths)
        #expect(submits.allSatisfy { $0.esmClass == shape.esmClass })
        #expect(submits.first?.parameters.messagePayload?.count == shape.payloadLength)
        if shape.mode == .sar && shape.submits > 1 {
            #expect(submits.map(\.parameters.sarMessageReference) == Array(repeating: 0x1234, count: shape.submits))
            #expect(submits.map(\.parameters.sarTotalSegments) == Array(repeating: UInt8(shape.submits), count: shape.submits))
            #expect(submits.map(\.parameters.sarSegmentSequenceNumber) == (1...shape.submits).map { UInt8($0) })
        } else {
            #expect(submits.allSatisfy { $0.parameters.sarMessageReference == nil })
        }
        if shape.mode == .udh && shape.submits > 1 {
            #expect(Array(submits[0].shortMessage.prefix(6)) == [0x05, 0x00, 0x03, 0x34, 0x02, 0x01])
        }
    }

    /// Packed GSM text in message_payload takes 7/8 of the septets.
    @Test func packedPayload() throws {
        let submits = try settings(.payload).makeSubmits(
            destination: "447700900123",
            text: Self.gsmText,
            reference: 1,
            packsGSM: true
        )
        #expect(submits.first?.parameters.messagePayload?.count == 175)
    }

    /// A text over the segment limit is refused in every form, never cut short.
    @Test(arguments: LongMessageMode.allCases) func tooLongIsRefused(_ mode: LongMessageMode) {
        #expect(throws: (any Error).self) {
            try settings(mode).makeSubmits(
                destination: "447700900123",
                text: String(repeating: "x", count: 2000),
                reference: 1
            )
        }
    }

    /// Over real TCP, the simulator joins each form back into the original text and a receipt
    /// arrives for every submit.
    @Test(arguments: [
        (LongMessageMode.udh, gsmText), (.sar, gsmText), (.payload, gsmText), (.udh, ucs2Text), (.sar, ucs2Text),
        (.payload, ucs2Text),
    ])
    func simulatorReassembles(_ mode: LongMessageMode, text: String) async throws {
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(5)))
        let port = try await simulator.start()
        let client = try ESMEClient(settings: settings(mode, port: port), logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        _ = await events.next { if case .bound = $0 { true } else { false } }

        let submits = try client.settings.makeSubmits(destination: "447700900123", text: text, reference: 77)
        var keys: [String] = []
        for submit in submits {
            let outcome = try await client.submit(submit)
            guard case .accepted(_, let key) = outcome else {
                Issue.record("part not accepted: \(outcome)")
                break
            }
            keys.append(key)
        }
        #expect(await simulator.waitForMessages(count: 1, timeout: .seconds(10)))
        let message = await simulator.receivedMessages.first
        #expect(message?.form == mode)
        #expect(message?.text == text)
        #expect(message?.partCount == submits.count)
        #expect(message?.messageIDs == keys)

        // Receipts may arrive in any order.
        var receiptKeys: Set<String> = []
        for _ in keys {
            guard case .deliveryReceipt(_, let key, _)? = await events.next(where: {
                if case .deliveryReceipt = $0 { true } else { false }
            }) else { break }
            receiptKeys.insert(key)
        }
        #expect(receiptKeys == Set(keys))
        await client.stop()
        await simulator.stop()
    }
}
