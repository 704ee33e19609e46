import Foundation
import Simulators
import Synchronization

/// The modem of a chaos run: a modem simulator behind a symbolic link, which is the device path
/// the daemon's config names, so that the modem can re-enumerate the way a USB stick does.
///
/// `reenumerate(outage:)` closes the simulator's pseudo terminal and removes the link, as udev
/// removes a `/dev/serial/by-id` link on unplug, then starts a new simulator after the outage and
/// points the link at its pseudo terminal. Copies are counted over every simulator so far.
/// `stop()` stops the current simulator and removes the link's directory.
final class ChaosModem: Sendable {
    private struct Slot {
        var current: ModemSimulator
        var retiredPDUs: [[UInt8]]
        /// The TP-MR the current simulator started with.
        var firstReference: Int
    }

    /// The directory holding the link.
    let directory: String
    /// The link the daemon opens.
    let path: String
    private let slot: Mutex<Slot>

    /// Starts the first simulator and creates the link to its pseudo terminal.
    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeline-chaos-modem-\(UUID().uuidString.prefix(8))").path
        path = directory + "/usb-Lifeline_Chaos_Modem-if02-port0"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let simulator = ModemSimulator(profile: .healthy)
        do {
            try Self.link(path, to: try simulator.start())
        } catch {
            simulator.stop()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        slot = Mutex(Slot(current: simulator, retiredPDUs: [], firstReference: ModemSimulatorProfile.healthy.firstMessageReference))
    }

    /// Every PDU the simulators received through `AT+CMGS`, oldest first.
    var receivedPDUs: [[UInt8]] {
        slot.withLock { $0.retiredPDUs + $0.current.receivedPDUs }
    }

    /// Makes the current simulator stop responding until the daemon reopens the port.
    func hang() {
        slot.withLock { $0.current }.hang()
    }

    /// Closes the current pseudo terminal and removes the link, waits `outage`, then starts a new
    /// simulator behind the same link. The new modem's message references go on from where the
    /// old one stopped, as a SIM keeps its last TP-MR; status reports the old one still owed are lost.
    func reenumerate(outage: Duration) async throws {
        let old = slot.withLock { $0.current }
        unlink(path)
        old.stop()
        let sent = old.receivedPDUs
        try await Task.sleep(for: outage)
        var profile = ModemSimulatorProfile.healthy
        let reference = slot.withLock { ($0.firstReference + sent.count) & 0xFF }
        profile.firstMessageReference = reference
        let fresh = ModemSimulator(profile: profile)
        try Self.link(path, to: try fresh.start())
        slot.withLock {
            $0.current = fresh
            $0.retiredPDUs += sent
            $0.firstReference = reference
        }
    }

    /// Stops the current simulator and removes the link and its directory.
    func stop() {
        slot.withLock { $0.current }.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Points `path` at `target`, replacing any link there in one rename.
    private static func link(_ path: String, to target: String) throws {
        let staging = path + ".new"
        unlink(staging)
        try FileManager.default.createSymbolicLink(atPath: staging, withDestinationPath: target)
        guard rename(staging, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
