import Foundation
import SMPP
import Testing

/// The ESME client against an independent SMSC: smpp.twisted3 in Tests/Peers/smsc_twisted.py.
@Suite(.timeLimit(.minutes(1)))
struct TwistedSMSCTests {
    /// A running smsc_twisted.py; closing its stdin ends it.
    final class Peer: Sendable {
        let process: Process
        let stdin: Pipe
        let port: UInt16

        private init(process: Process, stdin: Pipe, port: UInt16) {
            self.process = process
            self.stdin = stdin
            self.port = port
        }

        /// Starts the peer and reads its port from the first line of stdout, on a dedicated thread.
        static func start() async throws -> Peer {
            let root = packageRoot()
            let process = Process()
            process.executableURL = root.appendingPathComponent(".venv/bin/python")
            process.arguments = [
                root.appendingPathComponent("Tests/Peers/smsc_twisted.py").path, "--port", "0", "--lifetime", "60",
            ]
            let stdin = Pipe()
            let stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line: String = await withCheckedContinuation { continuation in
                Thread {
                    var collected = Data()
                    while !collected.contains(UInt8(ascii: "\n")) {
                        let chunk = stdout.fileHandleForReading.availableData
                        if chunk.isEmpty { break }
                        collected.append(chunk)
                    }
                    continuation.resume(returning: String(decoding: collected, as: UTF8.self))
                }.start()
            }
            guard let port = UInt16(line.split(separator: "\n").first ?? "") else {
                process.terminate()
                throw PeerError.noPort(output: line)
            }
            return Peer(process: process, stdin: stdin, port: port)
        }

        /// Closes stdin so the peer exits, and waits for it on a dedicated thread.
        func stop() async {
            try? stdin.fileHandleForWriting.close()
            await withCheckedContinuation { continuation in
                Thread { [process] in
                    process.waitUntilExit()
                    continuation.resume()
                }.start()
            }
        }
    }

    enum PeerError: Error {
        case noPort(output: String)
    }

    /// bind_transceiver succeeds, a submit gets the peer's message id, and its receipt arrives as an event.
    @Test func bindSubmitReceipt() async throws {
        let peer = try await Peer.start()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: peer.port,
            systemID: "lifeline",
            password: "secret",
            bindMode: .transceiver,
            sourceAddress: "Lifeline",
            sourceAddressTON: 5,
            registeredDelivery: 1
        )
        let client = try ESMEClient(settings: settings, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()

        let bound = await events.next { if case .bound = $0 { true } else { false } }
        #expect(bound == .bound(smscSystemID: "lifeline", mode: .transceiver))

        let submit = settings.makeSubmitSM(destination: "447700900123", shortMessage: Array("Twisted test".utf8))
        let outcome = try await client.submit(submit)
        #expect(outcome == .accepted(messageID: "TW000001", messageIDKey: "TW000001"))

        let event = await events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let receipt, let key)? = event else {
            Issue.record("no receipt from the peer")
            await client.stop()
            await peer.stop()
            return
        }
        #expect(key == "TW000001")
        #expect(receipt.status == .delivered)
        #expect(receipt.messageState == .delivered)
        #expect(receipt.text == "Twisted test")

        await client.stop()
        let down = await events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.unbound))
        await peer.stop()
    }

    /// The peer decodes and accepts every part of a long text sent with SAR parameters and with
    /// message_payload, so the optional parameters are encoded as another implementation expects.
    @Test(arguments: [LongMessageMode.sar, .payload]) func longMessageParameters(_ mode: LongMessageMode) async throws {
        let peer = try await Peer.start()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: peer.port,
            systemID: "lifeline",
            password: "secret",
            registeredDelivery: 0,
            longMessages: mode
        )
        let client = try ESMEClient(settings: settings, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        _ = await events.next { if case .bound = $0 { true } else { false } }

        let text = String(repeating: "Gas leak reported near the library. ", count: 6)
        let submits = try settings.makeSubmits(destination: "447700900123", text: text, reference: 513)
        #expect(submits.count == (mode == .sar ? 2 : 1))
        for submit in submits {
            let outcome = try await client.submit(submit)
            guard case .accepted = outcome else {
                Issue.record("the peer did not accept a \(mode) part: \(outcome)")
                break
            }
        }
        await client.stop()
        await peer.stop()
    }

    /// The peer's error bind_resp for a wrong password reads as ESME_RINVPASWD.
    @Test func wrongPasswordRejected() async throws {
        let peer = try await Peer.start()
        let settings = SMPPLinkSettings(host: "127.0.0.1", port: peer.port, systemID: "lifeline", password: "wrong")
        let client = try ESMEClient(settings: settings, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        let down = await events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.bindRejected(.invalidPassword)))
        await client.stop()
        await peer.stop()
    }
}
