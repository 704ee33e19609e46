import Foundation
import Simulators
import Testing

/// The daemon at log level trace with every secret set to a distinctive string, exercised
/// through each provider kind, the HTTP API and the CLI. No secret may appear in anything it or
/// the CLI printed, in the status snapshot, or in an HTTP response. Every `/v1` route rejects a
/// missing token, and a read token cannot send.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SecretLeakTests {
    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let twilioToken = "TwilioSecret9f3c1a7e52b4d8"
    static let smppPassword = "Zq7Vx2Kp"
    static let modemPIN = "97531864"
    static let sendToken = "SendTokenSecret4e8a2c6f1d"
    static let readToken = "ReadTokenSecret7b3d9e0a5c"
    static let adminToken = "AdminTokenSecret2f6b8d4e9a"
    static let wrongToken = "WrongTokenGuess8c1e5a3f7b"

    /// Every secret the config holds, with a name for failure messages.
    static let secrets = [
        ("Twilio auth token", twilioToken), ("SMPP password", smppPassword), ("modem PIN", modemPIN),
        ("send token", sendToken), ("read token", readToken), ("admin token", adminToken),
        ("a rejected token", wrongToken),
    ]

    /// Each `/v1` route as method and path, and whether it needs the send role.
    static let routes: [(method: String, path: String, sends: Bool)] = [
        ("POST", "/v1/messages", true), ("GET", "/v1/messages", false), ("GET", "/v1/messages/1", false),
        ("POST", "/v1/messages/1/cancel", true), ("POST", "/v1/broadcasts", true), ("GET", "/v1/broadcasts", false),
        ("GET", "/v1/broadcasts/1", false), ("POST", "/v1/broadcasts/1/cancel", true), ("GET", "/v1/providers", false),
        ("GET", "/v1/queue", false), ("GET", "/v1/events", false),
    ]

    /// Sends through Twilio, SMPP and the modem, calls the API and the CLI: no secret appears
    /// anywhere, and the world-readable config with inline secrets draws a warning on stderr.
    @Test func noSecretInAnyOutput() async throws {
        let stage = try await Stage.start()
        var collected: [(String, String)] = []
        do {
            try await exercise(stage, outputs: &collected)
        } catch {
            Issue.record("\(error)\n\(stage.daemonOutput())")
        }
        await stage.stop()
        collected.append(("daemon stdout", stage.read("daemon.out")))
        collected.append(("daemon stderr", stage.read("daemon.err")))
        #expect(
            stage.read("daemon.err").contains("inline secrets"),
            "no warning about inline secrets in a world-readable config:\n\(stage.read("daemon.err").prefix(2_000))"
        )
        #expect(collected.count > 20)
        for (source, text) in collected {
            for (name, secret) in Self.secrets {
                #expect(!text.contains(secret), "the \(name) appears in \(source)")
            }
        }
        print("secret leak: checked \(collected.count) outputs, \(collected.map(\.1.utf8.count).reduce(0, +)) bytes")
        stage.cleanUp()
    }

    /// Without a token every `/v1` route gets 401, a wrong token 401, and a read token on a
    /// route that sends or cancels 403.
    @Test func routesRequireTokens() async throws {
        let stage = try await Stage.start()
        do {
            try await stage.waitForHealth()
            for route in Self.routes {
                let body = route.method == "POST" ? "{}" : nil
                let bare = await ChaosHTTPClient.request(port: stage.httpPort, method: route.method, path: route.path, body: body)
                #expect(bare.status == 401, "\(route.method) \(route.path) without a token: \(bare.raw.prefix(300))")
                let wrong = await ChaosHTTPClient.request(
                    port: stage.httpPort, method: route.method, path: route.path, token: Self.wrongToken, body: body
                )
                #expect(wrong.status == 401, "\(route.method) \(route.path) with a wrong token: \(wrong.raw.prefix(300))")
                guard route.sends else { continue }
                let read = await ChaosHTTPClient.request(
                    port: stage.httpPort, method: route.method, path: route.path, token: Self.readToken, body: body
                )
                #expect(read.status == 403, "\(route.method) \(route.path) with a read token: \(read.raw.prefix(300))")
            }
        } catch {
            Issue.record("\(error)\n\(stage.daemonOutput())")
        }
        await stage.stop()
        stage.cleanUp()
    }

    /// Runs the sends, API calls and CLI commands; appends each output with where it came from.
    private func exercise(_ stage: Stage, outputs: inout [(String, String)]) async throws {
        func cli(_ arguments: [String]) async throws -> LifelineBinary.Result {
            let result = try await LifelineBinary.run(arguments)
            outputs.append(("lifeline \(arguments.joined(separator: " ")) stdout", result.stdout))
            outputs.append(("lifeline \(arguments.joined(separator: " ")) stderr", result.stderr))
            return result
        }
        func http(_ method: String, _ path: String, token: String? = nil, body: String? = nil) async -> ChaosHTTPClient.Response {
            let response = await ChaosHTTPClient.request(port: stage.httpPort, method: method, path: path, token: token, body: body)
            outputs.append(("\(method) \(path) response", response.raw))
            return response
        }
        try await stage.waitForHealth()

        // Twilio first; then the cloud is gone and SMPP takes over; then the SMSC too, and the modem sends.
        let viaCloud = try await send(stage, to: "+447700900101", cli: cli)
        let cloudProvider = try await stage.waitForProvider(viaCloud, cli: cli)
        #expect(cloudProvider == "twilio")
        await stage.cloud.stop()
        let viaCarrier = try await send(stage, to: "+447700900102", cli: cli)
        let carrierProvider = try await stage.waitForProvider(viaCarrier, cli: cli)
        #expect(carrierProvider == "carrier")
        await stage.smsc.refuseConnections()
        await stage.smsc.dropConnections()
        let viaModem = try await send(stage, to: "+447700900103", cli: cli)
        let modemProvider = try await stage.waitForProvider(viaModem, cli: cli)
        #expect(modemProvider == "modem-1")
        #expect(stage.modem.receivedCommands.contains { $0.contains("CPIN") }, "the modem never asked for its PIN")

        let message = #"{"to": "+447700900104", "text": "API check"}"#
        #expect(await http("POST", "/v1/messages", token: Self.wrongToken, body: message).status == 401)
        #expect(await http("POST", "/v1/messages", token: Self.readToken, body: message).status == 403)
        let accepted = await http("POST", "/v1/messages", token: Self.sendToken, body: message).status
        #expect((200..<300).contains(accepted))
        #expect(await http("GET", "/v1/providers", token: Self.readToken).status == 200)
        #expect(await http("GET", "/v1/providers").status == 401)
        #expect(await http("GET", "/v1/queue", token: Self.adminToken).status == 200)
        #expect(await http("GET", "/v1/messages", token: Self.readToken).status == 200)
        #expect(await http("GET", "/metrics").status == 200)
        #expect(await http("GET", "/").status == 200)
        #expect(await http("GET", "/healthz").status == 200)

        // Let the snapshot be rewritten after the sends, then read it and the CLI's views.
        try await Task.sleep(for: .seconds(3))
        outputs.append(("status snapshot", stage.read("lifeline.db.status.json")))
        for arguments in [["status", "--config", stage.configPath], ["status", "--config", stage.configPath, "--json"], ["config", "check", stage.configPath]] {
            let result = try await cli(arguments)
            #expect(result.status == 0, "lifeline \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        _ = try await cli(["messages", "--config", stage.configPath, "--id", String(viaModem), "--json"])
    }

    private func send(
        _ stage: Stage,
        to number: String,
        cli: ([String]) async throws -> LifelineBinary.Result
    ) async throws -> Int64 {
        let result = try await cli([
            "send", "--config", stage.configPath, "--to", number, "--text", "Leak check", "--priority", "high", "--json",
        ])
        try #require(result.status == 0, "send failed: \(result.stderr)")
        struct Receipt: Decodable { var id: Int64 }
        return try JSONDecoder().decode(Receipt.self, from: Data(result.stdout.utf8)).id
    }
}

extension SecretLeakTests {
    /// The peers, the directory, the world-readable config with inline secrets, and the daemon
    /// with its stdout and stderr in separate files.
    final class Stage: Sendable {
        let directory: String
        let configPath: String
        let smsc: SMSCSimulator
        let cloud: PeerProcess
        let modem: ModemSimulator
        let httpPort: UInt16
        let daemon: Process

        private init(
            directory: String, configPath: String, smsc: SMSCSimulator, cloud: PeerProcess, modem: ModemSimulator,
            httpPort: UInt16, daemon: Process
        ) {
            self.directory = directory
            self.configPath = configPath
            self.smsc = smsc
            self.cloud = cloud
            self.modem = modem
            self.httpPort = httpPort
            self.daemon = daemon
        }

        static func start() async throws -> Stage {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("lifeline-secrets-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let smsc = SMSCSimulator(
                configuration: SMSCSimulatorConfiguration(systemID: "lifeline", password: SecretLeakTests.smppPassword)
            )
            var cloud: PeerProcess?
            let modem = ModemSimulator(profile: .pinLocked(SecretLeakTests.modemPIN))
            do {
                let smscPort = try await smsc.start()
                let started = try await PeerProcess.start(
                    script: "cloud_fake.py",
                    arguments: ["--port", "0", "--account-sid", SecretLeakTests.accountSID, "--auth-token", SecretLeakTests.twilioToken]
                )
                cloud = started
                let modemPath = try modem.start()
                let httpPort = try unusedLoopbackPort()
                let configPath = directory + "/lifeline.yaml"
                try config(directory: directory, smscPort: smscPort, cloudPort: started.port, modemPath: modemPath, httpPort: httpPort)
                    .write(toFile: configPath, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: configPath)
                let daemon = try launch(configPath: configPath, directory: directory)
                return Stage(
                    directory: directory, configPath: configPath, smsc: smsc, cloud: started, modem: modem,
                    httpPort: httpPort, daemon: daemon
                )
            } catch {
                await cloud?.stop()
                await smsc.stop()
                modem.stop()
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }

        private static func config(directory: String, smscPort: UInt16, cloudPort: UInt16, modemPath: String, httpPort: UInt16) -> String {
            """
            database: \(directory)/lifeline.db
            log_level: trace
            http:
              listen: 127.0.0.1:\(httpPort)
            api_tokens:
              - {name: sender, role: send, token: \(SecretLeakTests.sendToken)}
              - {name: reader, role: read, token: \(SecretLeakTests.readToken)}
              - {name: operator, role: admin, token: \(SecretLeakTests.adminToken)}
            breaker:
              failure_threshold: 1
              cooldown: 2s
            providers:
              - id: twilio
                type: twilio
                account_sid: \(SecretLeakTests.accountSID)
                auth_token: \(SecretLeakTests.twilioToken)
                from: "+15005550006"
                base_url: http://127.0.0.1:\(cloudPort)
                timeout: 3s
                connect_timeout: 1s
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(smscPort)
                system_id: lifeline
                password: \(SecretLeakTests.smppPassword)
                enquire_link: 2s
                response_timeout: 3s
              - id: modem-1
                type: modem
                device: \(modemPath)
                pin: "\(SecretLeakTests.modemPIN)"

            """
        }

        private static func launch(configPath: String, directory: String) throws -> Process {
            let process = Process()
            process.executableURL = LifelineBinary.url
            process.arguments = ["serve", "--config", configPath]
            for name in ["daemon.out", "daemon.err"] {
                FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)
            }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/daemon.out"))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/daemon.err"))
            process.standardInput = FileHandle.nullDevice
            try process.run()
            return process
        }

        /// Polls `/healthz` until it responds, for at most 20 s.
        func waitForHealth() async throws {
            for _ in 0..<100 {
                if await ChaosHTTPClient.request(port: httpPort, method: "GET", path: "/healthz").status != 0 { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw FailoverPoolTests.WaitFailure(description: "the HTTP API never answered on port \(httpPort)")
        }

        /// Re-reads the message until it is sent or delivered, for at most 40 s, and returns its provider.
        func waitForProvider(_ id: Int64, cli: ([String]) async throws -> LifelineBinary.Result) async throws -> String? {
            struct Detail: Decodable {
                struct Message: Decodable {
                    var state: String
                    var providerID: String?
                }
                var message: Message
            }
            for _ in 0..<200 {
                let result = try await cli(["messages", "--config", configPath, "--id", String(id), "--json"])
                let detail = try JSONDecoder().decode(Detail.self, from: Data(result.stdout.utf8))
                if ["sent", "delivered"].contains(detail.message.state) { return detail.message.providerID }
                if detail.message.state == "failed" { return nil }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw FailoverPoolTests.WaitFailure(description: "message \(id) was never sent")
        }

        func read(_ name: String) -> String {
            (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
        }

        func daemonOutput() -> String {
            "daemon stdout:\n\(read("daemon.out").suffix(10_000))\ndaemon stderr:\n\(read("daemon.err").suffix(10_000))"
        }

        /// Stops the daemon with SIGINT (SIGKILL after 20 s) and the peers.
        func stop() async {
            daemon.interrupt()
            for _ in 0..<200 where daemon.isRunning {
                try? await Task.sleep(for: .milliseconds(100))
            }
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
            await waitForExit(daemon)
            await cloud.stop()
            await smsc.stop()
            modem.stop()
        }

        func cleanUp() {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
