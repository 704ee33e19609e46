import ATModem
import Foundation
import SMSCodec
import Simulators
import Testing

@Suite("Inbound messages over a pseudo terminal")
struct InboundMessageTests {
    /// 200 characters: two GSM 7-bit parts.
    static let longText = String(repeating: "Gate B is closed, use gate C. ", count: 7).prefix(200).description

    /// `+CMTI` for each part: the session reads each with `AT+CMGR`, deletes it with `AT+CMGD`
    /// and publishes the PDU, and the parts join into the text sent.
    @Test func storedPartsReadAndDeleted() async throws {
        try await withSimulatedModem { simulator, session in
            try await session.initialise()
            let events = collectEvents(of: session, until: Self.secondInbound())
            try simulator.deliverInbound(Self.longText, from: "+447700900123", reference: 42)
            let pdus = Self.inboundPDUs(await events.value)

            #expect(pdus.map(\.storage) == ["SM", "SM"])
            #expect(pdus.map(\.index) == [0, 1])
            for command in ["AT+CPMS=\"SM\"", "AT+CMGR=0", "AT+CMGD=0", "AT+CMGR=1", "AT+CMGD=1"] {
                #expect(simulator.receivedCommands.contains(command), "missing \(command)")
            }
            #expect(simulator.storedIndexes.isEmpty)
            #expect(try Self.joined(pdus) == Self.longText)
        }
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
