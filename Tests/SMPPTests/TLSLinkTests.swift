import Foundation
import SMPP
import Simulators
import Testing

/// The ESME client over TLS: the SMSC simulator behind a Python ssl front (Tests/Peers/tls_proxy.py)
/// on 127.0.0.1, with certificates made by `openssl req` for each test.
@Suite(.timeLimit(.minutes(1)))
struct TLSLinkTests {
    /// The simulator, the TLS front with the server certificate, and a directory of certificates.
    struct Harness {
        let simulator: SMSCSimulator
        let proxy: PeerProcess
        let directory: String
        let server: TestCertificate

        func settings(caFile: String?, verifiesPeer: Bool = true, host: String = "127.0.0.1") -> SMPPLinkSettings {
            SMPPLinkSettings(
                host: host,
                port: proxy.port,
                systemID: "lifeline",
                password: "secret",
                connectTimeout: .seconds(5),
                registeredDelivery: 1,
                tls: SMPPTLSSettings(caFile: caFile, verifiesPeer: verifiesPeer)
            )
        }

        func stop() async {
            await proxy.stop()
            await simulator.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Starts the simulator and a TLS front whose certificate has `serverName` as its subjectAltName.
    func makeHarness(serverName: String = "IP:127.0.0.1") async throws -> Harness {
        let directory = try makeTemporaryDirectory()
        let server = try await TestCertificate.make(name: "smsc", alternativeName: serverName, in: directory)
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(receiptDelay: .milliseconds(10)))
        let upstream = try await simulator.start()
        let proxy = try await PeerProcess.startPython(
            "tls_proxy.py",
            arguments: [
                "--cert", server.certificatePath, "--key", server.keyPath, "--upstream", "\(upstream)",
                "--lifetime", "60",
            ]
        )
        return Harness(simulator: simulator, proxy: proxy, directory: directory, server: server)
    }

    static let backoff = ReconnectBackoff(initialDelay: .seconds(30), maximumDelay: .seconds(30), random: { 0.5 })

    /// Starts a client and returns the first bound or link-down event.
    func firstOutcome(_ settings: SMPPLinkSettings) async throws -> (ESMEClient, EventLog, SMPPLinkEvent?) {
        let client = try ESMEClient(settings: settings, backoff: Self.backoff, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        let first = await events.next {
            switch $0 {
            case .bound, .linkDown: true
            default: false
            }
        }
        return (client, events, first)
    }

    /// Trusting the server's certificate through ca_file, the client binds over TLS, a submit is
    /// accepted, its receipt arrives, and stop unbinds.
    @Test func bindSubmitReceiptOverTLS() async throws {
        let harness = try await makeHarness()
        let (client, events, first) = try await firstOutcome(harness.settings(caFile: harness.server.certificatePath))
        #expect(first == .bound(smscSystemID: "SMSCSIM", mode: .transceiver))

        let submit = client.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Over TLS".utf8))
        let outcome = try await client.submit(submit)
        #expect(outcome == .accepted(messageID: "1", messageIDKey: "1"))
        let receipt = await events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let report, let key, _)? = receipt else {
            Issue.record("no receipt over TLS")
            await client.stop()
            return await harness.stop()
        }
        #expect(key == "1")
        #expect(report.text == "Over TLS")
        #expect(await harness.simulator.receivedSubmits.first?.submitSM.shortMessage == Array("Over TLS".utf8))

        await client.stop()
        let down = await events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.unbound))
        await harness.stop()
    }

    /// Hundreds of submits through a full window over TLS are all accepted and all their receipts arrive.
    @Test func windowOverTLS() async throws {
        let harness = try await makeHarness()
        var settings = harness.settings(caFile: harness.server.certificatePath)
        settings.windowSize = 10
        let (client, events, first) = try await firstOutcome(settings)
        #expect(first == .bound(smscSystemID: "SMSCSIM", mode: .transceiver))
        let count = 300
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                let submit = client.settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("m\(index)".utf8))
                group.addTask {
                    guard case .accepted? = try? await client.submit(submit) else { return false }
                    return true
                }
            }
            var accepted = 0
            for await ok in group where ok { accepted += 1 }
            return accepted
        }
        #expect(accepted == count)
        for _ in 0..<count {
            guard await events.next(where: { if case .deliveryReceipt = $0 { true } else { false } }) != nil else {
                Issue.record("a receipt did not arrive")
                break
            }
        }
        await client.stop()
        await harness.stop()
    }

    /// A ca_file holding another CA fails the handshake with an error that names the file and the fix;
    /// nothing reaches the SMSC.
    @Test func wrongCAIsClearError() async throws {
        let harness = try await makeHarness()
        let other = try await TestCertificate.make(name: "other-ca", alternativeName: "IP:127.0.0.1", in: harness.directory)
        let (client, _, first) = try await firstOutcome(harness.settings(caFile: other.certificatePath))
        guard case .linkDown(.tlsFailed(let message))? = first else {
            Issue.record("expected a TLS failure, got \(String(describing: first))")
            await client.stop()
            return await harness.stop()
        }
        #expect(message.contains(other.certificatePath))
        #expect(message.contains("not trusted"))
        #expect(message.contains("Set ca_file to the CA certificate"))
        #expect(await harness.simulator.successfulBindCount == 0)
        await #expect(throws: SMPPClientError.notBound(reason: .tlsFailed(message))) {
            try await client.submit(client.settings.makeSubmitSM(destination: "447700900123", shortMessage: [0x41]))
        }
        await client.stop()
        await harness.stop()
    }

    /// A ca_file that does not exist is reported with its path before any handshake.
    @Test func missingCAFileIsClearError() async throws {
        let harness = try await makeHarness()
        let missing = harness.directory + "/no-such-ca.pem"
        let (client, _, first) = try await firstOutcome(harness.settings(caFile: missing))
        guard case .linkDown(.tlsFailed(let message))? = first else {
            Issue.record("expected a TLS failure, got \(String(describing: first))")
            await client.stop()
            return await harness.stop()
        }
        #expect(message.contains("cannot load ca_file \(missing)"))
        #expect(message.contains("No such file"))
        await client.stop()
        await harness.stop()
    }

    /// A certificate issued for another name fails even when its CA is trusted.
    @Test func hostMismatchFails() async throws {
        let harness = try await makeHarness(serverName: "DNS:smsc.example.net")
        let (client, _, first) = try await firstOutcome(harness.settings(caFile: harness.server.certificatePath))
        guard case .linkDown(.tlsFailed(let message))? = first else {
            Issue.record("expected a TLS failure, got \(String(describing: first))")
            await client.stop()
            return await harness.stop()
        }
        #expect(message.contains("not issued for 127.0.0.1"))
        await client.stop()
        await harness.stop()
    }

    /// With verification off, an untrusted certificate is accepted and the link binds.
    @Test func verifyOffAcceptsAnyCertificate() async throws {
        let harness = try await makeHarness(serverName: "DNS:smsc.example.net")
        let (client, _, first) = try await firstOutcome(harness.settings(caFile: nil, verifiesPeer: false))
        #expect(first == .bound(smscSystemID: "SMSCSIM", mode: .transceiver))
        await client.stop()
        await harness.stop()
    }

    /// A TLS client aimed at a plain SMPP port fails the handshake instead of hanging.
    @Test func plainPortFailsHandshake() async throws {
        let simulator = SMSCSimulator()
        let port = try await simulator.start()
        var settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: port,
            systemID: "lifeline",
            password: "secret",
            connectTimeout: .seconds(5)
        )
        settings.tls = SMPPTLSSettings(verifiesPeer: false)
        let (client, _, first) = try await firstOutcome(settings)
        guard case .linkDown(.tlsFailed)? = first else {
            Issue.record("expected a TLS failure, got \(String(describing: first))")
            await client.stop()
            return await simulator.stop()
        }
        await client.stop()
        await simulator.stop()
    }
}
