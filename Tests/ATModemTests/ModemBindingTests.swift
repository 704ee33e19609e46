import ATModem
import Foundation
import Simulators
import Testing

/// Two simulated modems with different identities behind links in a scan directory, the way
/// `/dev/serial/by-id` points at `/dev/ttyUSB*` nodes.
final class ModemBench: @unchecked Sendable {
    // @unchecked: used by one test task at a time; the simulators guard their own state.
    static let firstIMEI = "867530011111118"
    static let secondIMEI = "867530022222225"
    static let secondICCID = "89441502222222222222"

    let directory: String
    var simulators: [String: ModemSimulator] = [:]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-scan-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try plug("ttyA", imei: Self.firstIMEI, iccid: "89441501111111111111")
        try plug("ttyB", imei: Self.secondIMEI, iccid: Self.secondICCID)
    }

    /// The pattern that lists every link of the bench.
    var pattern: String { directory + "/tty*" }

    /// Starts a simulator with this identity and links `name` to its pty.
    func plug(_ name: String, imei: String, iccid: String) throws {
        var profile = ModemSimulatorProfile()
        profile.imei = imei
        profile.iccid = iccid
        let simulator = ModemSimulator(profile: profile)
        let path = try simulator.start()
        try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: path)
        simulators[name] = simulator
    }

    /// Stops the simulator behind `name` and removes its link, as when a stick is pulled out.
    func unplug(_ name: String) throws {
        simulators.removeValue(forKey: name)?.stop()
        try FileManager.default.removeItem(atPath: directory + "/" + name)
    }

    func tearDown() {
        for simulator in simulators.values { simulator.stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("Modem identity binding")
struct ModemBindingTests {
    /// Identity responses are compared by digits, with or without a prefix, quotes or ICCID padding.
    @Test(arguments: [
        (ModemIdentity.imei("867530012345674"), "867530012345674", true),
        (.imei("867530012345674"), "+CGSN: 867530012345674", true),
        (.imei("867530012345674"), "+CGSN: \"867530012345674\"", true),
        (.imei("867530012345674"), "86753001234567", false),
        (.imei("867530012345674"), "OK", false),
        (.iccid("89441501234567890123"), "+CCID: 89441501234567890123", true),
        (.iccid("8944150123456789012"), "^ICCID: 8944150123456789012F", true),
        (.iccid("89441501234567890123"), "+CCID: 89441501234567890124", false),
    ])
    func identityMatching(_ identity: ModemIdentity, _ line: String, _ matches: Bool) {
        #expect(identity.matchesAnswer(line) == matches)
    }

    /// A session bound by IMEI opens the port of the modem with that IMEI and sends through it.
    @Test func bindsByIMEI() async throws {
        let bench = try ModemBench()
        defer { bench.tearDown() }
        let session = session(.imei(ModemBench.secondIMEI), bench)

        try await session.initialise()
        #expect(await session.portPath == bench.directory + "/ttyB")
        #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) == 1)
        #expect(bench.simulators["ttyB"]?.receivedPDUs.count == 1)
        #expect(bench.simulators["ttyA"]?.receivedPDUs.isEmpty == true)
        #expect(await session.probe().imei == ModemBench.secondIMEI)
        await session.close()
    }

    /// A session bound by ICCID finds the modem holding that SIM.
    @Test func bindsByICCID() async throws {
        let bench = try ModemBench()
        defer { bench.tearDown() }
        let session = session(.iccid(ModemBench.secondICCID), bench)

        try await session.initialise()
        #expect(await session.portPath == bench.directory + "/ttyB")
        await session.close()
    }

    /// A modem pulled out and plugged back under another path is found there by the next recovery.
    @Test func replugFoundAgain() async throws {
        let bench = try ModemBench()
        defer { bench.tearDown() }
        let session = session(.imei(ModemBench.secondIMEI), bench)
        try await session.initialise()
        #expect(await session.portPath == bench.directory + "/ttyB")

        try bench.unplug("ttyB")
        #expect(await firstEvent(of: session) { if case .modemLost = $0 { true } else { false } } != nil)
        try bench.plug("ttyC", imei: ModemBench.secondIMEI, iccid: ModemBench.secondICCID)
        let events = collectEvents(of: session) { if case .modemRecovered = $0 { true } else { false } }
        let recovery = await session.recover()
        let published = await events.value

        #expect(recovery == .reopened)
        #expect(await session.portPath == bench.directory + "/ttyC")
        #expect(published.contains(.portFound(path: bench.directory + "/ttyC")), "\(published)")
        #expect(try await session.send(pdu: bytes(fieldCasePDU), tpduLength: 27) >= 1)
        #expect(bench.simulators["ttyC"]?.receivedPDUs.count == 1)
        await session.close()
    }

    /// No modem with the identity: initialisation fails naming every port searched.
    @Test func unknownIdentityNotFound() async throws {
        let bench = try ModemBench()
        defer { bench.tearDown() }
        let session = session(.imei("999999999999999"), bench)

        await #expect(
            throws: ModemError.notFound(
                identity: "imei:999999999999999",
                searched: [bench.directory + "/ttyA", bench.directory + "/ttyB"]
            )
        ) {
            try await session.initialise()
        }
        #expect(ModemError.notFound(identity: "imei:1", searched: []).errorClass == .providerUnavailable)
        await session.close()
    }

    /// A search never writes into a port another session holds: the second session skips it.
    @Test func searchSkipsHeldPorts() async throws {
        let bench = try ModemBench()
        defer { bench.tearDown() }
        let first = session(.imei(ModemBench.firstIMEI), bench)
        try await first.initialise()
        let held = try #require(bench.simulators["ttyA"])
        let commandsBefore = held.receivedCommands.count

        let second = session(.imei(ModemBench.secondIMEI), bench)
        try await second.initialise()

        #expect(await second.portPath == bench.directory + "/ttyB")
        #expect(held.receivedCommands.count == commandsBefore, "\(held.receivedCommands.dropFirst(commandsBefore))")
        await first.close()
        await second.close()
    }

    private func session(_ identity: ModemIdentity, _ bench: ModemBench) -> ModemSession {
        ModemSession(
            binding: .identity(identity, search: .pattern(bench.pattern)),
            logger: .disabled,
            timeouts: testTimeouts
        )
    }
}
