import Foundation
import Simulators
import Testing

/// Which of the optional libraries (libcurl, libpq, OpenSSL) a running daemon maps: only those
/// its configuration needs.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct OptionalLibraryMappingTests {
    /// The library files the daemon opens at run time, as they appear in /proc/PID/maps.
    static let optionalFiles = ["libcurl.so", "libpq.so", "libssl.so", "libcrypto.so"]

    /// A daemon whose only provider is a plain SMPP link maps none of libcurl, libpq, libssl and
    /// libcrypto once it is bound.
    @Test func smppOnlyDaemonMapsNoOptionalLibrary() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(password: "maps-pw"))
        let smscPort = try await simulator.start()
        FileManager.default.createFile(
            atPath: directory + "/smpp.password",
            contents: Data("maps-pw".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let configPath = directory + "/lifeline.yaml"
        try """
            database: \(directory)/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(smscPort)
                system_id: lifeline
                password_file: \(directory)/smpp.password

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: directory + "/daemon.log")
        defer { if daemon.isRunning { daemon.terminate() } }
        #expect(await simulator.waitForBinds(count: 1, timeout: .seconds(20)))
        try #require(try await Self.waitUntilRunning(configPath))

        let maps = try Self.mappedFiles(of: daemon)
        for file in Self.optionalFiles {
            #expect(!maps.contains { $0.contains(file) }, "\(file) is mapped:\n\(maps.joined(separator: "\n"))")
        }
        daemon.terminate()
        await waitForExit(daemon)
        await simulator.stop()
    }

    /// A daemon with a cloud provider maps libcurl and OpenSSL, which it loaded at start.
    @Test func cloudProviderDaemonMapsCurl() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(
            atPath: directory + "/twilio.token",
            contents: Data("maps-token".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let configPath = directory + "/lifeline.yaml"
        // Nothing listens on the port: the daemon only has to start, not to send.
        try """
            database: \(directory)/lifeline.db
            providers:
              - id: twilio
                type: twilio
                account_sid: AC00000000000000000000000000000000
                auth_token_file: \(directory)/twilio.token
                from: "+15005550006"
                base_url: http://127.0.0.1:\(try unusedLoopbackPort())

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: directory + "/daemon.log")
        defer { if daemon.isRunning { daemon.terminate() } }
        try #require(try await Self.waitUntilRunning(configPath))

        let maps = try Self.mappedFiles(of: daemon)
        #expect(maps.contains { $0.contains("libcurl.so.4") }, "libcurl is not mapped")
        #expect(maps.contains { $0.contains("libssl.so.3") }, "libssl is not mapped")
        #expect(!maps.contains { $0.contains("libpq.so") }, "libpq is mapped without a PostgreSQL store")
        daemon.terminate()
        await waitForExit(daemon)
    }

    /// A daemon whose only provider is an SMPP link with `tls: true` binds through a TLS front to
    /// the SMSC simulator. The front's certificate comes from a throwaway CA given as `ca_file`.
    /// A message sent through it is delivered (its receipt arrives). The daemon maps libssl and
    /// libcrypto, and neither libcurl nor libpq.
    @Test func tlsLinkDaemonMapsOpenSSL() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let authority = try await ThrowawayCertificateAuthority.make(alternativeName: "IP:127.0.0.1", in: directory)
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(password: "tls-pw"))
        let smscPort = try await simulator.start()
        let front = try await PeerProcess.start(
            script: "tls_proxy.py",
            arguments: [
                "--cert", authority.serverCertificatePath, "--key", authority.serverKeyPath,
                "--upstream", "\(smscPort)", "--lifetime", "170",
            ]
        )
        FileManager.default.createFile(
            atPath: directory + "/smpp.password",
            contents: Data("tls-pw".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let configPath = directory + "/lifeline.yaml"
        try """
            database: \(directory)/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(front.port)
                system_id: lifeline
                password_file: \(directory)/smpp.password
                tls: true
                ca_file: \(authority.caCertificatePath)

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        defer { if daemon.isRunning { daemon.terminate() } }
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }
        do {
            try #require(await simulator.waitForBinds(count: 1, timeout: .seconds(20)), "no bind over TLS; log:\n\(log())")
            try #require(try await Self.waitUntilRunning(configPath))

            let sent = try await LifelineBinary.run([
                "send", "--config", configPath, "--to", "+447700900123", "--text", "Over TLS", "--json",
            ])
            try #require(sent.status == 0, "send failed: \(sent.stderr)")
            struct Receipt: Decodable { var id: Int64 }
            let id = try JSONDecoder().decode(Receipt.self, from: Data(sent.stdout.utf8)).id
            let state = try await Self.waitForState(configPath, id: id, in: ["delivered", "failed", "undelivered"])
            #expect(state == "delivered", "log:\n\(log().suffix(6000))")
            #expect(await simulator.receivedSubmits.first?.submitSM.shortMessage == Array("Over TLS".utf8))

            let maps = try Self.mappedFiles(of: daemon)
            #expect(maps.contains { $0.contains("libssl.so.3") }, "libssl is not mapped")
            #expect(maps.contains { $0.contains("libcrypto.so.3") }, "libcrypto is not mapped")
            #expect(!maps.contains { $0.contains("libcurl.so") }, "libcurl is mapped without a cloud provider")
            #expect(!maps.contains { $0.contains("libpq.so") }, "libpq is mapped without a PostgreSQL store")
        } catch {
            Issue.record("\(error)\ndaemon log:\n\(log().suffix(6000))")
        }
        daemon.terminate()
        await waitForExit(daemon)
        await front.stop()
        await simulator.stop()
    }

    /// A SIGHUP that adds a cloud provider to a running daemon with only a plain SMPP link loads
    /// libcurl then: the reload is accepted and libcurl is mapped, where it was not before.
    @Test func reloadAddingCloudProviderMapsCurl() async throws {
        let directory = try CommandLineErrorTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let simulator = SMSCSimulator(configuration: SMSCSimulatorConfiguration(password: "maps-pw"))
        let smscPort = try await simulator.start()
        for (file, secret) in [("smpp.password", "maps-pw"), ("twilio.token", "maps-token")] {
            FileManager.default.createFile(
                atPath: directory + "/" + file,
                contents: Data(secret.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        }
        let smpp = """
            database: \(directory)/lifeline.db
            providers:
              - id: carrier
                type: smpp
                host: 127.0.0.1
                port: \(smscPort)
                system_id: lifeline
                password_file: \(directory)/smpp.password

            """
        // Nothing listens on the Twilio port: the provider only has to start.
        let withCloud =
            smpp + """
                  - id: twilio
                    type: twilio
                    account_sid: AC00000000000000000000000000000000
                    auth_token_file: \(directory)/twilio.token
                    from: "+15005550006"
                    base_url: http://127.0.0.1:\(try unusedLoopbackPort())

                """
        let configPath = directory + "/lifeline.yaml"
        try smpp.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = directory + "/daemon.log"
        let daemon = try LifelineBinary.startDaemon(configPath: configPath, logPath: logPath)
        defer { if daemon.isRunning { daemon.terminate() } }
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }
        // SIGHUP before the daemon has set up its signal handling would end it.
        try #require(await Self.waitForLog(logPath, containing: "Daemon started"), "log:\n\(log())")
        #expect(try !Self.mappedFiles(of: daemon).contains { $0.contains("libcurl.so") }, "libcurl is mapped before the reload")

        try withCloud.write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await Self.waitForLog(logPath, containing: "Configuration reloaded"), "log:\n\(log().suffix(6000))")
        #expect(await Self.waitForLog(logPath, containing: "providers=carrier,twilio"), "log:\n\(log().suffix(6000))")
        let maps = try Self.mappedFiles(of: daemon)
        #expect(maps.contains { $0.contains("libcurl.so.4") }, "libcurl is not mapped after the reload")
        #expect(maps.contains { $0.contains("libssl.so.3") }, "libssl is not mapped after the reload")
        #expect(daemon.isRunning)

        daemon.terminate()
        await waitForExit(daemon)
        #expect(daemon.terminationStatus == 0, "log:\n\(log().suffix(4000))")
        await simulator.stop()
    }

    /// Re-reads the log every 200 ms until it contains `text`, for at most 20 s.
    static func waitForLog(_ path: String, containing text: String) async -> Bool {
        for _ in 0..<100 {
            if let log = try? String(contentsOfFile: path, encoding: .utf8), log.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Re-reads the message with `lifeline messages` every 200 ms until its state is one of
    /// `states`, for at most 40 s, and returns the last state read.
    static func waitForState(_ configPath: String, id: Int64, in states: Set<String>) async throws -> String {
        struct Message: Decodable { var state: String }
        struct Detail: Decodable { var message: Message }
        var state = "none"
        for _ in 0..<200 {
            let result = try await LifelineBinary.run(["messages", "--config", configPath, "--id", String(id), "--json"])
            try #require(result.status == 0, "messages failed: \(result.stderr)")
            state = try JSONDecoder().decode(Detail.self, from: Data(result.stdout.utf8)).message.state
            if states.contains(state) { return state }
            try await Task.sleep(for: .milliseconds(200))
        }
        return state
    }

    /// Returns the paths of the files mapped into `process`, from /proc/PID/maps read to its end.
    /// The file reports a size of 0, so a read sized by it stops early.
    static func mappedFiles(of process: Process) throws -> [String] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        return maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first.map(String.init)
        }
    }

    /// Re-runs `lifeline status` every 250 ms until its output reports the daemon running, for at most 20 s.
    static func waitUntilRunning(_ configPath: String) async throws -> Bool {
        for _ in 0..<80 {
            let result = try await LifelineBinary.run(["status", "--config", configPath])
            if result.stdout.contains("Daemon: running") { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}
