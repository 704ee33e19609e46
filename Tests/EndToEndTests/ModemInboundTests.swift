import Foundation
import Simulators
import Testing

/// The daemon receiving SMS through a simulated modem and `lifeline messages --inbound` listing them.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ModemInboundTests {
    struct InboundRow: Decodable {
        var id: Int64
        var providerID: String
        var sender: String
        var text: String
        var parts: Int
    }

    /// 200 characters: two GSM 7-bit parts.
    static let longText = String(repeating: "Stand down, drill over. Meet at the front gate. ", count: 5).prefix(200).description

    /// A two-part message announced by `+CMTI` is read, joined and stored once (its parts then
    /// deleted from the SIM), and listed with its sender masked in both the table and the JSON.
    @Test func twoPartMessageListed() async throws {
        let stage = try InboundStage(profile: .healthy)
        defer { stage.cleanUp() }
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.logPath)
        do {
            try await stage.waitUntil("modem initialised") { stage.modem.receivedCommands.contains("AT+CREG?") }
            try stage.modem.deliverInbound(Self.longText, from: "+447700900123", reference: 7)
            let rows = try await stage.waitForInbound(count: 1)

            #expect(rows.count == 1)
            #expect(rows.first?.text == Self.longText)
            #expect(rows.first?.parts == 2)
            #expect(rows.first?.providerID == "modem-1")
            #expect(rows.first?.sender == "+44770*****23")
            // Each part is deleted from the SIM once the joined message is stored.
            try await stage.waitUntil("stored parts deleted from the SIM") { stage.modem.storedIndexes.isEmpty }
            #expect(stage.modem.receivedCommands.contains("AT+CMGD=0"))
            #expect(stage.modem.receivedCommands.contains("AT+CMGD=1"))

            let table = try await LifelineBinary.run(["messages", "--config", stage.configPath, "--inbound"])
            #expect(table.status == 0)
            #expect(table.stdout.contains("+44770*****23"), "\(table.stdout)")
            #expect(!table.stdout.contains("447700900123"), "the full sender number was printed")
            #expect(table.stdout.contains("Stand down, drill over."))
            #expect(!(try stage.daemonLog()).contains("447700900123"), "the full sender number was logged")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\((try? stage.daemonLog()) ?? "")")
        }
        await stage.stop(daemon)
    }

    /// Parts delivered straight to the host (`+CMT`), out of order and under service 1, are
    /// acknowledged and joined into one stored message.
    @Test func directPartsOutOfOrder() async throws {
        var profile = ModemSimulatorProfile.healthy
        profile.deliversInboundDirectly = true
        profile.messageService = 1
        let stage = try InboundStage(profile: profile)
        defer { stage.cleanUp() }
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.logPath)
        do {
            try await stage.waitUntil("modem initialised") { stage.modem.receivedCommands.contains("AT+CREG?") }
            try stage.modem.deliverInbound(Self.longText, from: "+447700900123", reference: 9, order: [1, 0])
            let rows = try await stage.waitForInbound(count: 1)

            #expect(rows.map(\.text) == [Self.longText])
            #expect(rows.first?.parts == 2)
            #expect(stage.modem.acknowledgementCount == 2)
        } catch {
            Issue.record("\(error)\ndaemon log:\n\((try? stage.daemonLog()) ?? "")")
        }
        await stage.stop(daemon)
    }

    /// A message stored on the SIM while the daemon was stopped is read at start-up and listed.
    @Test func storedBeforeStartListed() async throws {
        let stage = try InboundStage(profile: .healthy)
        defer { stage.cleanUp() }
        try stage.modem.deliverInbound("Are you still open?", from: "+447700900456", announces: false)
        let daemon = try LifelineBinary.startDaemon(configPath: stage.configPath, logPath: stage.logPath)
        do {
            let rows = try await stage.waitForInbound(count: 1)

            #expect(rows.map(\.text) == ["Are you still open?"])
            #expect(rows.first?.parts == 1)
            try await stage.waitUntil("the stored message deleted from the SIM") { stage.modem.storedIndexes.isEmpty }
        } catch {
            Issue.record("\(error)\ndaemon log:\n\((try? stage.daemonLog()) ?? "")")
        }
        await stage.stop(daemon)
    }

    /// `--inbound` with `--id` is a usage error.
    @Test func inboundWithIDRejected() async throws {
        let result = try await LifelineBinary.run(["messages", "--inbound", "--id", "3"])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--inbound"))
    }
}

/// One modem simulator, a temporary directory and a config with that modem.
final class InboundStage: Sendable {
    let directory: TemporaryDirectory
    let modem: ModemSimulator
    let configPath: String
    var logPath: String { directory.path + "/daemon.log" }

    init(profile: ModemSimulatorProfile) throws {
        directory = try TemporaryDirectory()
        modem = ModemSimulator(profile: profile)
        let device = try modem.start()
        configPath = directory.path + "/lifeline.yaml"
        let config = """
            database: \(directory.path)/lifeline.db
            log_level: debug
            providers:
              - id: modem-1
                type: modem
                device: \(device)

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Re-reads `lifeline messages --inbound --json` until it lists `count` messages, for at most 60 s.
    func waitForInbound(count: Int) async throws -> [ModemInboundTests.InboundRow] {
        var last: [ModemInboundTests.InboundRow] = []
        for _ in 0..<120 {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--inbound", "--json"])
            try #require(result.status == 0, "messages --inbound failed: \(result.stderr)")
            last = try JSONDecoder().decode([ModemInboundTests.InboundRow].self, from: Data(result.stdout.utf8))
            if last.count >= count { return last }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ModemFleetTests.WaitFailure(description: "only \(last.count) inbound messages listed")
    }

    /// Checks `condition` every 20 ms for at most 30 s.
    func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<1500 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ModemFleetTests.WaitFailure(description: "timed out waiting until \(what)")
    }

    func daemonLog() throws -> String {
        try String(contentsOfFile: logPath, encoding: .utf8)
    }

    /// Interrupts the daemon and expects a clean exit.
    func stop(_ daemon: Process) async {
        daemon.interrupt()
        await waitForExit(daemon)
        #expect(daemon.terminationStatus == 0, "lifeline serve exits 0 after SIGINT; log:\n\((try? daemonLog()) ?? "")")
    }

    func cleanUp() {
        modem.stop()
        directory.remove()
    }
}
