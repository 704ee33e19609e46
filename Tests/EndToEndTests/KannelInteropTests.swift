import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Kannel 1.4.5 (bearerbox and smsbox from Debian's kannel package), a widely deployed SMPP
/// client, against `lifeline simulate smsc`: it must bind as a transceiver, submit a message
/// sent through smsbox's sendsms, and accept the simulator's delivery receipt.
///
/// Skipped when bearerbox is not installed. Every wait is bounded; every process is stopped
/// and the temporary directory removed at the end.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct KannelInteropTests {
    static let bearerboxPath = "/usr/sbin/bearerbox"
    static let smsboxPath = "/usr/sbin/smsbox"
    static var kannelInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: bearerboxPath)
            && FileManager.default.isExecutableFile(atPath: smsboxPath)
    }

    /// A message sent through smsbox reaches the simulator as a submit_sm on a transceiver bind,
    /// and Kannel acknowledges the receipt with deliver_sm_resp and counts it as a DLR.
    @Test(.enabled(if: kannelInstalled, "bearerbox is not installed (apt-get install kannel); Kannel interop not tested"))
    func submitThroughKannel() async throws {
        let stage = try await KannelStage.start()
        do {
            try await stage.startKannel()
            try await stage.sendOneMessage()

            let submitted = try await stage.waitForSimulatorLog(containing: "smsc.command=submit_sm")
            #expect(submitted, "the simulator saw no submit_sm from Kannel")
            let bound = try String(contentsOfFile: stage.simulatorLogPath, encoding: .utf8)
            #expect(bound.contains("smsc.bind=transceiver"))
            #expect(bound.contains("ESME_ROK"))

            let receiptAcknowledged = try await stage.waitForSimulatorLog(containing: "smsc.command=deliver_sm_resp")
            #expect(receiptAcknowledged, "Kannel did not answer the delivery receipt")
            let status = await stage.waitForKannelStatus(containing: "DLR: received 1")
            #expect(status.contains("DLR: received 1"), "bearerbox status: \(status)")
        } catch {
            await stage.stop()
            throw error
        }
        await stage.stop()
    }
}

/// The simulator, the two Kannel boxes, their config and logs in a temporary directory.
final class KannelStage: @unchecked Sendable {
    // @unchecked: `processes` is only touched by the one test that owns the stage, in sequence.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let systemID = "kannel"
    static let password = "interop"
    static let adminPassword = "interop-admin"

    let directory: URL
    let simulator: Process
    let smscPort: UInt16
    let adminPort: UInt16
    let boxPort: UInt16
    let sendsmsPort: UInt16
    private var processes: [Process]

    var simulatorLogPath: String { directory.appendingPathComponent("simulator.log").path }
    var configPath: String { directory.appendingPathComponent("kannel.conf").path }

    private init(directory: URL, simulator: Process, smscPort: UInt16, ports: [UInt16]) {
        self.directory = directory
        self.simulator = simulator
        self.smscPort = smscPort
        adminPort = ports[0]
        boxPort = ports[1]
        sendsmsPort = ports[2]
        processes = [simulator]
    }

    /// Starts `lifeline simulate smsc --verbose` with its debug log in a file, and writes the
    /// Kannel config pointing at it.
    static func start() async throws -> KannelStage {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-kannel-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logPath = directory.appendingPathComponent("simulator.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        let simulator = Process()
        simulator.executableURL = LifelineBinary.url
        simulator.arguments = ["simulate", "smsc", "--verbose", "--system-id", systemID, "--password", password]
        let stdout = Pipe()
        simulator.standardOutput = stdout
        simulator.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        simulator.standardInput = FileHandle.nullDevice
        try simulator.run()
        let line = await readFirstLine(of: stdout)
        guard let port = UInt16(line.trimmingCharacters(in: .whitespaces)) else {
            simulator.terminate()
            await waitForExit(simulator)
            throw Failure(description: "lifeline simulate smsc printed no port: '\(line)'")
        }
        let ports = try (0..<3).map { _ in try FreeLoopbackPort.find() }
        let stage = KannelStage(directory: directory, simulator: simulator, smscPort: port, ports: ports)
        try stage.configText.write(toFile: stage.configPath, atomically: true, encoding: .utf8)
        return stage
    }

    /// A bearerbox with one SMPP transceiver link to the simulator (receipts requested per
    /// message), and an smsbox with one sendsms user, all on 127.0.0.1.
    var configText: String {
        """
        group = core
        admin-port = \(adminPort)
        admin-password = \(Self.adminPassword)
        admin-allow-ip = 127.0.0.1
        smsbox-port = \(boxPort)
        box-allow-ip = 127.0.0.1
        log-file = "\(directory.path)/bearerbox.log"
        log-level = 1
        dlr-storage = internal

        group = smsc
        smsc = smpp
        smsc-id = simulator
        host = 127.0.0.1
        port = \(smscPort)
        transceiver-mode = true
        smsc-username = \(Self.systemID)
        smsc-password = \(Self.password)
        system-type = ""
        max-pending-submits = 10
        reconnect-delay = 1

        group = smsbox
        bearerbox-host = 127.0.0.1
        bearerbox-port = \(boxPort)
        sendsms-port = \(sendsmsPort)
        log-file = "\(directory.path)/smsbox.log"
        log-level = 1

        group = sendsms-user
        username = interop
        password = interop-pw
        user-allow-ip = 127.0.0.1
        max-messages = 1

        group = sms-service
        keyword = default
        text = "No service here."
        omit-empty = true

        """
    }

    /// Starts bearerbox, waits until its SMPP link is online, then starts smsbox.
    func startKannel() async throws {
        try launch(KannelInteropTests.bearerboxPath, output: "bearerbox.out")
        let online = await waitForKannelStatus(containing: "online")
        guard online.contains("simulator[simulator]") && online.contains("online") else {
            throw Failure(description: "bearerbox did not bring the SMPP link online within 30 s; status: \(online)")
        }
        try launch(KannelInteropTests.smsboxPath, output: "smsbox.out")
    }

    /// Sends one SMS through smsbox's sendsms, retrying while smsbox is still starting (30 s at most).
    ///
    /// The dlr-url names a loopback port where nothing listens: Kannel's fetch of it fails, and
    /// the receipt is checked in the simulator's log and bearerbox's status instead.
    func sendOneMessage() async throws {
        let closedPort = try FreeLoopbackPort.find()
        var components = URLComponents(string: "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms")!
        components.queryItems = [
            URLQueryItem(name: "username", value: "interop"),
            URLQueryItem(name: "password", value: "interop-pw"),
            URLQueryItem(name: "from", value: "12345"),
            URLQueryItem(name: "to", value: "447700900123"),
            URLQueryItem(name: "text", value: "Interop check from Kannel"),
            URLQueryItem(name: "dlr-mask", value: "3"),
            URLQueryItem(name: "dlr-url", value: "http://127.0.0.1:\(closedPort)/dlr?t=%d"),
        ]
        let url = components.url!
        let deadline = ContinuousClock.now + .seconds(30)
        var last = "no answer"
        while ContinuousClock.now < deadline {
            if let (status, body) = await Self.get(url) {
                if (200..<300).contains(status) { return }
                last = "HTTP \(status): \(body)"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Failure(description: "smsbox's sendsms did not accept the message within 30 s (\(last))")
    }

    /// Polls the simulator's log until it contains `text`, for 20 s at most.
    func waitForSimulatorLog(containing text: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: simulatorLogPath, encoding: .utf8)) ?? ""
            if log.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Polls bearerbox's status page until it contains `text`, for 30 s at most; returns the last page.
    func waitForKannelStatus(containing text: String) async -> String {
        let url = URL(string: "http://127.0.0.1:\(adminPort)/status.txt?password=\(Self.adminPassword)")!
        let deadline = ContinuousClock.now + .seconds(30)
        var last = ""
        while ContinuousClock.now < deadline {
            if let (_, body) = await Self.get(url) {
                last = body
                if body.contains(text) { return body }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return last
    }

    /// Stops smsbox, bearerbox and the simulator (SIGTERM, then SIGKILL after 10 s) and removes the directory.
    func stop() async {
        for process in processes.reversed() where process.isRunning {
            process.terminate()
            let killer = Task {
                try await Task.sleep(for: .seconds(10))
                kill(process.processIdentifier, SIGKILL)
            }
            await waitForExit(process)
            killer.cancel()
        }
        processes.removeAll()
        try? FileManager.default.removeItem(at: directory)
    }

    private func launch(_ path: String, output: String) throws {
        let outputPath = directory.appendingPathComponent(output).path
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-v", "3", configPath]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
    }

    /// One GET with a 5 s timeout; `nil` when the connection fails.
    private static func get(_ url: URL) async -> (Int, String)? {
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            let http = response as? HTTPURLResponse
        else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }
}

/// Finds a free TCP port on 127.0.0.1: binds port 0, reads the port, closes the socket.
enum FreeLoopbackPort {
    static func find() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw KannelStage.Failure(description: "socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw KannelStage.Failure(description: "bind(127.0.0.1:0) failed: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw KannelStage.Failure(description: "getsockname() failed: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
