import ATModem
import Foundation
import Simulators
import Testing

/// A directory tree shaped like sysfs for one USB modem, so the USB reset writes only here.
struct FakeSysfs {
    let root: String

    /// Builds `devices/usb1/1-1` (the USB device, with `idVendor` and `authorized`), its interface
    /// `1-1:1.2` (with an `authorized` of its own, as interfaces have) and `class/tty/<ttyName>/device`
    /// linking to the interface's port directory.
    init(ttyName: String, authorizedIsWritable: Bool = true) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-sysfs-\(UUID().uuidString.prefix(8))").path
        let device = root + "/devices/usb1/1-1"
        let port = device + "/1-1:1.2/" + ttyName
        let manager = FileManager.default
        try manager.createDirectory(atPath: port, withIntermediateDirectories: true)
        try "12d1\n".write(toFile: device + "/idVendor", atomically: true, encoding: .utf8)
        if authorizedIsWritable {
            try "1\n".write(toFile: device + "/authorized", atomically: true, encoding: .utf8)
        } else {
            // A directory cannot be opened for writing, whoever runs the test.
            try manager.createDirectory(atPath: device + "/authorized", withIntermediateDirectories: true)
        }
        try "1\n".write(toFile: device + "/1-1:1.2/authorized", atomically: true, encoding: .utf8)
        try manager.createDirectory(atPath: root + "/class/tty/" + ttyName, withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: root + "/class/tty/\(ttyName)/device", withDestinationPath: port)
    }

    var deviceDirectory: String { root + "/devices/usb1/1-1" }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

@Suite("Recovery ladder")
struct RecoveryLadderTests {
    /// The USB device of a tty is the nearest directory up from its port with idVendor and authorized.
    @Test func findsUSBDeviceOfTTY() throws {
        let sysfs = try FakeSysfs(ttyName: "ttyUSB9")
        defer { sysfs.remove() }
        let reset = USBReset(sysfsRoot: sysfs.root, pause: .milliseconds(10))

        #expect(try reset.deviceDirectory(forTTYNamed: "ttyUSB9").get() == sysfs.deviceDirectory)
        guard case .failure(let problem) = reset.deviceDirectory(forTTYNamed: "7") else {
            Issue.record("a name without a sysfs entry was resolved")
            return
        }
        #expect(problem.reason.contains("no sysfs entry"))
    }

    /// A USB reset writes the device's authorized file and ends with the device authorized again.
    @Test func usbResetWritesAuthorized() async throws {
        let sysfs = try FakeSysfs(ttyName: "ttyUSB9")
        defer { sysfs.remove() }
        let node = sysfs.root + "/ttyUSB9"
        try "".write(toFile: node, atomically: true, encoding: .utf8)
        let reset = USBReset(sysfsRoot: sysfs.root, pause: .milliseconds(10))

        #expect(await reset.reset(port: node) == .performed(device: sysfs.deviceDirectory))
        #expect(try String(contentsOfFile: sysfs.deviceDirectory + "/authorized", encoding: .utf8) == "1")
    }

    /// A USB reset that cannot be done is skipped with the reason: disabled, not writable, a pty.
    @Test func usbResetSkippedWithReason() async throws {
        let sysfs = try FakeSysfs(ttyName: "ttyUSB9", authorizedIsWritable: false)
        defer { sysfs.remove() }
        let node = sysfs.root + "/ttyUSB9"
        try "".write(toFile: node, atomically: true, encoding: .utf8)
        let simulator = ModemSimulator()
        defer { simulator.stop() }
        let pty = try simulator.start()

        let cases: [(USBReset, String, String)] = [
            (USBReset(isEnabled: false, sysfsRoot: sysfs.root), node, "disabled"),
            (USBReset(sysfsRoot: sysfs.root, pause: .milliseconds(10)), node, "cannot write"),
            (USBReset(sysfsRoot: sysfs.root), pty, "no sysfs entry"),
        ]
        for (reset, port, words) in cases {
            guard case .skipped(let reason) = await reset.reset(port: port) else {
                Issue.record("reset of \(port) was not skipped")
                continue
            }
            #expect(reason.contains(words), "\(reason)")
        }
    }

    /// A modem that stays silent climbs every step in order: AT, reopen, the reset command, the USB
    /// reset (skipped on a pty, with the reason), then down.
    @Test func ladderOrderOnHangingModem() async throws {
        let emptySysfs = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-nosysfs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: emptySysfs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: emptySysfs) }
        var timeouts = testTimeouts
        timeouts.command = .milliseconds(300)
        timeouts.resetRecovery = .milliseconds(800)

        let simulator = ModemSimulator(profile: .hanging)
        defer { simulator.stop() }
        let session = ModemSession(
            devicePath: try simulator.start(),
            logger: .disabled,
            timeouts: timeouts,
            resetCommand: "AT+CFUN=15",
            usbReset: USBReset(sysfsRoot: emptySysfs)
        )
        let events = collectEvents(of: session) { if case .modemDown = $0 { true } else { false } }

        #expect(await session.recover() == .down)
        let published = await events.value
        let steps = published.compactMap { event -> ModemRecoveryStep? in
            if case .recoveryStep(let step) = event { return step }
            return nil
        }
        #expect(steps.count == 4, "\(steps)")
        #expect(Array(steps.prefix(3)) == [.checkAnswer, .reopen, .resetCommand("AT+CFUN=15")])
        if case .usbResetSkipped(let reason)? = steps.last {
            #expect(reason.contains("no sysfs entry"), "\(reason)")
        } else {
            Issue.record("the last step is not a skipped USB reset: \(steps)")
        }
        guard case .modemDown(let reason)? = published.last else {
            Issue.record("recovery did not end with modemDown: \(published)")
            return
        }
        #expect(reason.contains("USB reset skipped"))
        #expect(simulator.receivedCommands.contains("AT+CFUN=15"))
        #expect(await session.state != .ready)
        await session.close()
    }

    /// With a USB device found for the port, the ladder performs the USB reset before marking down.
    @Test func ladderPerformsUSBReset() async throws {
        var timeouts = testTimeouts
        timeouts.command = .milliseconds(300)
        timeouts.resetRecovery = .milliseconds(800)
        let simulator = ModemSimulator(profile: .hanging)
        defer { simulator.stop() }
        let pty = try simulator.start()
        let sysfs = try FakeSysfs(ttyName: (pty as NSString).lastPathComponent)
        defer { sysfs.remove() }
        let session = ModemSession(
            devicePath: pty,
            logger: .disabled,
            timeouts: timeouts,
            usbReset: USBReset(sysfsRoot: sysfs.root, pause: .milliseconds(10))
        )
        let events = collectEvents(of: session) { if case .modemDown = $0 { true } else { false } }

        #expect(await session.recover() == .down)
        let steps = await events.value.compactMap { event -> ModemRecoveryStep? in
            if case .recoveryStep(let step) = event { return step }
            return nil
        }
        #expect(
            steps == [.checkAnswer, .reopen, .resetCommand("AT+CFUN=1,1"), .usbReset(device: sysfs.deviceDirectory)]
        )
        await session.close()
    }
}
