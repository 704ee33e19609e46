import Config
import Diagnostics
import Foundation
import Gateway
import SMPP
import Simulators
import Store
import Testing

/// The SMPP provider answers a receipt only after its handler stored it, against the SMSC
/// simulator on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct SMPPReceiptStorageTests {
    /// Counts the receipts handed to the handler, failing the first `failures` of them.
    actor FlakyStorage {
        private var failuresLeft: Int
        private(set) var seen: [String] = []

        init(failures: Int) { failuresLeft = failures }

        func store(_ report: DeliveryReport) -> Bool {
            seen.append(report.providerMessageID)
            guard failuresLeft > 0 else { return true }
            failuresLeft -= 1
            return false
        }
    }

    /// A receipt whose storage fails is answered with `ESME_RX_T_APPN`; the SMSC sends it again
    /// and the second one, stored, is answered OK.
    @Test func failedStorageIsAnsweredWithAnErrorAndSentAgain() async throws {
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(10)))
        let port = try await simulator.start()
        var settings = SMPPSettings(host: "127.0.0.1", systemID: "lifeline", password: Secret("secret"))
        settings.port = Int(port)
        settings.source = "Lifeline"
        let provider = try SMPPProvider(id: "carrier", settings: settings, logger: .disabled)
        let storage = FlakyStorage(failures: 1)
        provider.onReceipt = { report, settled in settled(await storage.store(report)) }
        await provider.start(reports: { _ in Issue.record("the storing handler is set; reports must not be used") })
        await provider.waitUntilReady(timeout: .seconds(10))

        let outbound = OutboundSMS(messageID: 1, attempt: 1, recipient: "+447700900123", text: "Drill", priority: .bulk)
        guard case .accepted(let providerMessageID) = await provider.send(outbound) else {
            Issue.record("the SMSC did not accept the message")
            return
        }
        try await eventually("the receipt handled twice") { await storage.seen.count == 2 }
        #expect(await storage.seen == [providerMessageID, providerMessageID])
        #expect(await simulator.receiptRetryCount == 1)
        try await eventually("the second receipt answered") { await simulator.unansweredReceiptCount == 0 }
        #expect(await simulator.receiptRetryCount == 1)
        await provider.stop()
        await simulator.stop()
    }
}
