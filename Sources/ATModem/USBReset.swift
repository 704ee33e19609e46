import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Power-cycles a modem's USB device through sysfs, the step of recovery after the reset command.
///
/// The device is found from the tty: `/sys/class/tty/<name>/device` leads into the USB tree, and
/// the nearest directory above it with `idVendor` and `authorized` is the USB device. Writing `0`
/// to its `authorized` file detaches every driver of the device (all its ports vanish), writing
/// `1` attaches them again, as a replug would. The ports usually come back under the same names,
/// but not always, which is why a modem bound by identity is searched for again afterwards.
///
/// Needs write access to that file, which normally means root. Without it, or for a port with no
/// USB device in sysfs (a pseudo terminal, a built-in UART), the reset is skipped with the reason.
/// The writes run on a thread of their own, because the kernel detaches drivers before `write`
/// returns. A device left de-authorised because the second write failed is reported in the reason.
public struct USBReset: Sendable, Equatable {
    /// The result of a reset.
    public enum Outcome: Sendable, Equatable {
        /// The device directory (such as `/sys/devices/.../1-1.2`) was de-authorised and authorised again.
        case performed(device: String)
        /// Nothing was written, or the reset did not complete, for the reason given.
        case skipped(reason: String)
    }

    /// Whether recovery takes this step at all (the config's `usb_reset`, default `true`).
    public var isEnabled: Bool
    /// The sysfs mount point (default `/sys`). Tests point it at a directory tree of their own.
    public var sysfsRoot: String
    /// The pause between the two writes, so the drivers let go of the device (default 1 s).
    public var pause: Duration

    public init(isEnabled: Bool = true, sysfsRoot: String = "/sys", pause: Duration = .seconds(1)) {
        self.isEnabled = isEnabled
        self.sysfsRoot = sysfsRoot
        self.pause = pause
    }

    /// Resets the USB device behind the serial port `path` (a device node or a link to one).
    public func reset(port path: String) async -> Outcome {
        guard isEnabled else { return .skipped(reason: "disabled in the config (usb_reset: false)") }
        let name = (SerialPortClaims.resolved(path) as NSString).lastPathComponent
        let device: String
        switch deviceDirectory(forTTYNamed: name) {
        case .success(let directory): device = directory
        case .failure(let problem): return .skipped(reason: "\(path): \(problem.reason)")
        }
        let pause = pause
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: USBReset.cycle(device: device, pause: pause))
            }
            thread.name = "usb-reset"
            thread.start()
        }
    }

    /// The reason no USB device directory was found for a tty.
    public struct LookupProblem: Error, Sendable, Equatable {
        public var reason: String
    }

    /// Finds the USB device directory of the tty `name` (`ttyUSB2`, `ttyACM0`) under `sysfsRoot`.
    public func deviceDirectory(forTTYNamed name: String) -> Result<String, LookupProblem> {
        let link = "\(sysfsRoot)/class/tty/\(name)/device"
        guard !name.isEmpty, !name.contains("/"), FileManager.default.fileExists(atPath: link) else {
            return .failure(LookupProblem(reason: "no sysfs entry for \(name), so it is no USB device (a pseudo terminal?)"))
        }
        var directory = SerialPortClaims.resolved(link)
        let root = SerialPortClaims.resolved(sysfsRoot)
        while directory.hasPrefix(root), directory.count > root.count {
            let isDevice = ["idVendor", "authorized"].allSatisfy {
                FileManager.default.fileExists(atPath: "\(directory)/\($0)")
            }
            if isDevice { return .success(directory) }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return .failure(LookupProblem(reason: "\(name) is not on a USB device with an authorized switch"))
    }

    /// Writes `0`, pauses, writes `1`; tries the `1` three times, since a device left at `0` stays off.
    static func cycle(device: String, pause: Duration) -> Outcome {
        let file = device + "/authorized"
        if let problem = write("0", to: file) {
            return .skipped(reason: "cannot write \(file): \(problem); the service needs write access to it (root)")
        }
        Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
        var lastProblem: String?
        for _ in 0..<3 {
            lastProblem = write("1", to: file)
            if lastProblem == nil { return .performed(device: device) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return .skipped(
            reason: "\(file) was set to 0 but setting it back to 1 failed (\(lastProblem ?? "")): "
                + "the modem stays off until it is replugged or 1 is written there by hand"
        )
    }

    /// Writes `value` to a sysfs attribute; returns the error text, or `nil` on success.
    private static func write(_ value: String, to file: String) -> String? {
        let descriptor = SerialPort.retryingInterrupts { open(file, O_WRONLY | O_TRUNC | O_CLOEXEC) }
        guard descriptor.result >= 0 else { return SerialPortError.text(descriptor.errno) }
        defer { _ = Glibc.close(descriptor.result) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { raw in
            SerialPort.retryingInterrupts { Glibc.write(descriptor.result, raw.baseAddress!, raw.count) }
        }
        return written.result == bytes.count ? nil : SerialPortError.text(written.errno)
    }
}
