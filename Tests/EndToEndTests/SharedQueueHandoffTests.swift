import Foundation
import Simulators
import Store
import Testing

/// Two `lifeline serve` boxes share one queue on a real PostgreSQL server. Box A has a Twilio
/// provider at a closed loopback port and an SMPP link whose binds the SMSC simulator rejects, so
/// both fail; box B has the only modem (a simulated one on a pseudo terminal). A message queued
/// through box A's config is handed off to box B.
///
/// Box B is started once and stopped, so that its heartbeat is recent but it claims nothing
/// until it is started again: otherwise B would claim the message itself and no hand-off would
/// happen. `shared.handoff_wait` is 15 s.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SharedQueueHandoffTests {
    static let recipient = "+447700900777"

    /// Box A hands the message off to box B, and B's modem delivers it.
    @Test func modemOnAnotherBoxDelivers() async throws {
        let stage = try await Stage.start()
        do {
            let id = try await stage.handOffToStoppedBoxB()
            try await stage.boxB.start()
            let state = try await stage.waitForState(id, in: [.delivered, .failed], timeout: .seconds(60))
            let message = try #require(try await stage.store.message(id))
            let attempts = try await stage.store.attempts(for: id)
            let received = stage.modem.receivedPDUs.compactMap { SubmitPDUFields($0)?.recipientDigits }

            #expect(state == .delivered, "message \(id) is \(state.rawValue): \(message.lastReason ?? "")")
            #expect(message.providerID == "modem-1")
            #expect(attempts.last?.providerID == "modem-1")
            #expect(attempts.last?.outcome == .accepted)
            #expect(received == [String(Self.recipient.dropFirst())])
        } catch {
            Issue.record("\(error)\n\(await stage.logs())")
        }
        await stage.cleanUp()
    }

    /// With box B gone, the hand-off lapses after `handoff_wait` and box A fails the message with a
    /// reason naming box B.
    @Test func handOffLapsesWhenBoxStops() async throws {
        let stage = try await Stage.start()
        do {
            let id = try await stage.handOffToStoppedBoxB()
            let state = try await stage.waitForState(id, in: [.delivered, .failed], timeout: .seconds(60))
            let message = try #require(try await stage.store.message(id))

            #expect(state == .failed)
            #expect(message.lastReason?.contains("box 'box-b'") == true, "\(message.lastReason ?? "no reason")")
            #expect(stage.modem.receivedPDUs.isEmpty)
        } catch {
            Issue.record("\(error)\n\(await stage.logs())")
        }
        await stage.cleanUp()
    }

    /// The server, the simulators, the two boxes' configs and a store for reading the queue.
    final class Stage: Sendable {
        let server: SharedQueueServer
        let directory: String
        let smsc: SMSCSimulator
        let modem: ModemSimulator
        let boxA: ChaosDaemon
        let boxB: ChaosDaemon
        let store: PostgresStore

        private init(
            server: SharedQueueServer,
            directory: String,
            smsc: SMSCSimulator,
            modem: ModemSimulator,
            boxA: ChaosDaemon,
            boxB: ChaosDaemon,
            store: PostgresStore
        ) {
            self.server = server
            self.directory = directory
            self.smsc = smsc
            self.modem = modem
            self.boxA = boxA
            self.boxB = boxB
            self.store = store
        }

        static func start() async throws -> Stage {
            let server = try await SharedQueueServer.start()
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("lifeline-handoff-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // The simulator knows another system_id, so box A's binds are rejected.
            let smsc = SMSCSimulator(configuration: SMSCSimulatorConfiguration(systemID: "someone-else"))
            let smscPort = try await smsc.start()
            let modem = ModemSimulator(profile: .healthy)
            let modemPath = try modem.start()
            let closedPort = try FreeLoopbackPort.find()

            let shared = """
                database: \(server.url)
                database_password_file: database.password
                log_level: debug
                queue:
                  max_attempts: 5
                  max_wait: {emergency: 1s, high: 1s, normal: 1s, bulk: 1s}
                shared:
                  handoff_wait: 15s

                """
            let boxA = try writeBox(
                "box-a",
                directory: directory,
                server: server,
                config: shared + """
                    providers:
                      - id: twilio
                        type: twilio
                        account_sid: AC0123456789abcdef0123456789abcdef
                        auth_token_file: twilio.token
                        from: "+15005550006"
                        base_url: http://127.0.0.1:\(closedPort)
                        timeout: 2s
                        connect_timeout: 1s
                      - id: carrier
                        type: smpp
                        host: 127.0.0.1
                        port: \(smscPort)
                        system_id: lifeline
                        password_file: twilio.token
                        response_timeout: 3s

                    """
            )
            let boxB = try writeBox(
                "box-b",
                directory: directory,
                server: server,
                config: shared + """
                    providers:
                      - id: modem-1
                        type: modem
                        device: \(modemPath)

                    """
            )
            let store = try await PostgresStore(url: server.urlWithPassword, node: "audit")
            return Stage(server: server, directory: directory, smsc: smsc, modem: modem, boxA: boxA, boxB: boxB, store: store)
        }

        /// Writes one box's config and secrets into its own directory and returns its daemon.
        private static func writeBox(
            _ node: String,
            directory: String,
            server: SharedQueueServer,
            config: String
        ) throws -> ChaosDaemon {
            let boxDirectory = directory + "/" + node
            try FileManager.default.createDirectory(atPath: boxDirectory, withIntermediateDirectories: true)
            for (name, secret) in [("database.password", server.password), ("twilio.token", "handoff")] {
                FileManager.default.createFile(
                    atPath: boxDirectory + "/" + name,
                    contents: Data(secret.utf8),
                    attributes: [.posixPermissions: 0o600]
                )
            }
            let configPath = boxDirectory + "/lifeline.yaml"
            try ("node: \(node)\n" + config).write(toFile: configPath, atomically: true, encoding: .utf8)
            return ChaosDaemon(configPath: configPath, directory: boxDirectory)
        }

        /// Starts box B until it has registered its modem, stops it, starts box A, queues one
        /// message through box A's config and waits until box A has handed it off to box B.
        /// Returns the message id.
        func handOffToStoppedBoxB() async throws -> MessageID {
            try await boxB.start()
            try #require(await boxB.waitForLog("Modem ready", timeout: .seconds(30)), "box B's modem never became ready")
            try #require(try await waitForRow("box-b registered") {
                try await server.rows("SELECT provider_ids FROM lifeline_boxes WHERE node = 'box-b'").first?.optionalText(0)
                    == "modem-1"
            })
            await boxB.stop()

            try await boxA.start()
            try #require(await boxA.waitForLog("Daemon started", timeout: .seconds(30)), "box A never started")
            let sent = try await LifelineBinary.run([
                "send", "--config", boxA.configPath, "--to", SharedQueueHandoffTests.recipient, "--text", "Hand-off drill",
                "--priority", "high", "--json",
            ])
            try #require(sent.status == 0, "send failed (\(sent.status)): \(sent.stderr)")
            struct Receipt: Decodable { var id: Int64 }
            let id = try JSONDecoder().decode(Receipt.self, from: Data(sent.stdout.utf8)).id
            try #require(try await waitForRow("message \(id) handed off to box-b") {
                try await self.store.message(id)?.handoffNode == "box-b"
            })
            return id
        }

        /// Re-reads the condition every 200 ms for at most 30 s; returns whether it held.
        private func waitForRow(_ what: String, _ condition: () async throws -> Bool) async throws -> Bool {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(30) {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }

        /// Re-reads the message every 200 ms until its state is one of `states`, for at most
        /// `timeout`, and returns the last state read.
        func waitForState(_ id: MessageID, in states: Set<MessageState>, timeout: Duration) async throws -> MessageState {
            let start = ContinuousClock.now
            var state = MessageState.queued
            while ContinuousClock.now - start < timeout {
                state = try await store.message(id)?.state ?? state
                if states.contains(state) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            return state
        }

        func logs() async -> String {
            "=== box-a ===\n" + String(await boxA.logs().suffix(10_000)) + "\n=== box-b ===\n"
                + String(await boxB.logs().suffix(10_000))
        }

        func cleanUp() async {
            await boxA.stop()
            await boxB.stop()
            await store.close()
            await smsc.stop()
            modem.stop()
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
