import Foundation
import SMPP
import SMSCodec
import Simulators
import Testing

/// The daemon receiving SMS over its SMPP link and `lifeline messages --inbound` listing them.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SMPPInboundTests {
    /// An inbound `deliver_sm` that is not a receipt is stored with the sender's `+` restored and
    /// listed with the sender masked. The full number appears neither in the listing nor in the log.
    @Test func inboundDeliverSMListed() async throws {
        let stage = try await ChaosStage.start(smscResponseDelay: .zero) { [.carrier(port: $0)] }
        do {
            try await stage.daemon.start()
            try #require(await stage.smsc.waitForBinds(count: 1, timeout: .seconds(20)), "the daemon never bound")
            let text = "Is the east car park open?"
            await stage.smsc.sendInboundMessage(
                from: "447700900321",
                to: "60777",
                shortMessage: try GSMAlphabet.encode(text)
            )
            let rows = try await waitForInbound(configPath: stage.configPath)

            #expect(rows.count == 1)
            #expect(rows.first?.text == text)
            #expect(rows.first?.providerID == "carrier")
            #expect(rows.first?.sender == "+44770*****21")
            #expect(rows.first?.parts == 1)
            let logs = await stage.daemon.logs()
            #expect(!logs.contains("447700900321"), "the full sender number was logged")
        } catch {
            Issue.record("\(error)\n\(await stage.daemon.logs().suffix(20_000))")
        }
        await stage.daemon.stop()
        await stage.cleanUp()
    }

    /// Re-reads `lifeline messages --inbound --json` every 500 ms until it lists a message, for at most 30 s.
    private func waitForInbound(configPath: String) async throws -> [ModemInboundTests.InboundRow] {
        for _ in 0..<60 {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--inbound", "--json"])
            try #require(result.status == 0, "messages --inbound failed: \(result.stderr)")
            let rows = try JSONDecoder().decode([ModemInboundTests.InboundRow].self, from: Data(result.stdout.utf8))
            if !rows.isEmpty { return rows }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ModemFleetTests.WaitFailure(description: "no inbound message listed after 30 s")
    }
}
