import ATModem
import Foundation
import SMSCodec
import Simulators
import Testing

@Suite("Inbound messages over a pseudo terminal")
struct InboundMessageTests {
    /// 200 characters: two GSM 7-bit parts.
    static let longText = String(repeating: "Gate B is closed, use gate C. ", count: 7).prefix(200).description

    /// `+CMTI` for each part: the session reads each with `AT+CMGR` and publishes the PDU, the
    /// parts join into the text sent, and they stay stored until `deleteStored` removes them.
    @Test func storedPartsReadThenDeleted() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            let events = collectEvents(of: session, until: Self.secondInbound())
            try simulator.deliverInbound(Self.longText, from: "+447700900123", reference: 42)
            let pdus = Self.inboundPDUs(await events.value)

            #expect(pdus.map(\.storage) == ["SM", "SM"])
            #expect(pdus.map(\.index) == [0, 1])
            for command in ["AT+CPMS=\"SM\"", "AT+CMGR=0", "AT+CMGR=1"] {
                #expect(simulator.receivedCommands.contains(command), "missing \(command)")
            }
            #expect(!simulator.receivedCommands.contains { $0.hasPrefix("AT+CMGD") }, "deleted before the consumer kept it")
            #expect(simulator.storedIndexes == [0, 1])
            #expect(try Self.joined(pdus) == Self.longText)

            for pdu in pdus {
                try await session.deleteStored(index: try #require(pdu.index), memory: try #require(pdu.storage))
            }
            #expect(simulator.receivedCommands.contains("AT+CMGD=0"))
            #expect(simulator.receivedCommands.contains("AT+CMGD=1"))
            #expect(simulator.storedIndexes.isEmpty)
        }
    }

    /// A `+CMTI` for an index the start-up listing already published is not published again,
    /// while a new index that follows it is.
    @Test func listedIndexNotPublishedTwice() async throws {
        let simulator = ModemSimulator()
        defer { simulator.stop() }
        let path = try simulator.start()
        try simulator.deliverInbound("Is the shelter open?", from: "+447700900123", announces: false)
        let session = ModemSession(devicePath: path, logger: .disabled, timeouts: testTimeouts, readsStoredMessages: true)
        let events = collectEvents(of: session, until: Self.secondInbound())

        try await session.initialise()
        try await waitUntil { simulator.receivedCommands.contains("AT+CMGL=4") }
        simulator.sendUnsolicited("+CMTI: \"SM\",0")
        try simulator.deliverInbound("Doors close at ten.", from: "+447700900123")
        let pdus = Self.inboundPDUs(await events.value)

        #expect(pdus.map(\.index) == [0, 1])
        await session.close()
    }

    /// `+CMT` parts under service 1 are each acknowledged with `AT+CNMA`, even out of order, and join.
    @Test func directPartsAcknowledged() async throws {
        var profile = ModemSimulatorProfile()
        profile.deliversInboundDirectly = true
        profile.messageService = 1
        try await withSimulatedModem(profile) { simulator, session in
            try await session.initialise()
            let events = collectEvents(of: session, until: Self.secondInbound())
            try simulator.deliverInbound(Self.longText, from: "+447700900123", order: [1, 0])
            let pdus = Self.inboundPDUs(await events.value)

            #expect(pdus.count == 2)
            #expect(pdus.allSatisfy { $0.storage == nil })
            #expect(pdus.allSatisfy { $0.tpduLength != nil })
            try await waitUntil { simulator.acknowledgementCount == 2 }
            #expect(try Self.joined(pdus) == Self.longText)
        }
    }

    /// Messages stored before the session opened are listed and published (and kept stored)
    /// after initialisation when the session reads stored messages, and left alone otherwise.
    @Test(arguments: [true, false])
    func storedBeforeStartCollected(_ reads: Bool) async throws {
        let simulator = ModemSimulator()
        defer { simulator.stop() }
        let path = try simulator.start()
        try simulator.deliverInbound(Self.longText, from: "+447700900123", announces: false)
        let session = ModemSession(devicePath: path, logger: .disabled, timeouts: testTimeouts, readsStoredMessages: reads)
        let events = collectEvents(of: session, within: .seconds(reads ? 30 : 2), until: Self.secondInbound())

        try await session.initialise()
        let pdus = Self.inboundPDUs(await events.value)

        if reads {
            #expect(simulator.receivedCommands.contains("AT+CMGL=4"))
            #expect(pdus.map(\.index) == [0, 1])
            #expect(simulator.storedIndexes == [0, 1], "deleted before the consumer kept them")
            #expect(try Self.joined(pdus) == Self.longText)
        } else {
            #expect(!simulator.receivedCommands.contains { $0.hasPrefix("AT+CMGL") })
            #expect(pdus.isEmpty)
            #expect(simulator.storedIndexes == [0, 1])
        }
        await session.close()
    }

    /// `AT+CMGL` listings are read pair by pair: with or without an alpha field, skipping
    /// malformed pairs, and telling status reports from received messages by TP-MTI.
    @Test func listingParsed() {
        let deliver = "07915155100099F9040B914477000921F300006230215000000002C834"
        let report = "07915155100099F906010B914477000921F3623021500000006230215000000000"
        let response = ATResponse(
            command: "AT+CMGL=4",
            lines: [
                "+CMGL: 0,0,,22", deliver,
                "+CMGL: 3,1,\"Mum\",22", deliver,
                "+CMGL: x,0,,22", deliver,
                "+CMGL: 5,0,,22", "not hex",
                "+CMGL: 7,0,,26", report,
            ],
            final: .ok
        )
        let entries = StoredMessage.list(in: response)

        #expect(entries.map(\.index) == [0, 3, 7])
        #expect(entries.map(\.message.alpha) == ["", "Mum", ""])
        #expect(entries.map(\.message.status) == [.receivedUnread, .receivedRead, .receivedUnread])
        #expect(entries.map(\.message.isStatusReport) == [false, false, true])
    }

    private static func secondInbound() -> @Sendable (ModemEvent) -> Bool {
        let seen = Counter()
        return { event in
            guard case .inboundMessage = event else { return false }
            return seen.increment() == 2
        }
    }

    private static func inboundPDUs(_ events: [ModemEvent]) -> [ModemInboundPDU] {
        events.compactMap { event in
            if case .inboundMessage(let pdu) = event { return pdu }
            return nil
        }
    }

    /// Decodes SMS-DELIVER PDUs and joins them the way a consumer of the events does.
    private static func joined(_ pdus: [ModemInboundPDU]) throws -> String? {
        var reassembler = ConcatenationReassembler()
        var message: ConcatenationReassembler.AssembledMessage?
        for pdu in pdus {
            guard case .deliver(let deliver) = try TPDUDecoder.decode(hex: pdu.pduHex, hasSMSC: true).tpdu else {
                Issue.record("not an SMS-DELIVER: \(pdu.pduHex)")
                return nil
            }
            #expect(deliver.originatingAddress.displayString == "+447700900123")
            message = reassembler.receive(.init(deliver: deliver, receivedAt: Date())) ?? message
        }
        #expect(message?.partCount == 2)
        return try message?.text()
    }
}

/// A count shared with a `@Sendable` closure.
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
