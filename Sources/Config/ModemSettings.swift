/// A GSM modem on a serial port, driven with AT commands.
public struct ModemSettings: Sendable, Equatable {
    /// Baud rates a USB modem's serial port accepts (termios `B1200` to `B921600`).
    public static let standardBaudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600]

    /// The serial device; prefer a stable `/dev/serial/by-id/…` path over `/dev/ttyUSB0`.
    public var device: String
    /// Default 115200.
    public var baud: Int = 115200
    /// The SIM PIN, needed only when the SIM is PIN-locked; 4 to 8 digits.
    public var pin: Secret?
    /// Requests status reports (`+CDS`) for each message; default true.
    public var statusReports = true

    public init(device: String) {
        self.device = device
    }

    static func decode(_ reader: MappingReader) -> ModemSettings? {
        let deviceForm = "the absolute path of the serial device, such as /dev/serial/by-id/usb-…-if00"
        let device = reader.required("device", expected: deviceForm) {
            $0.string(expected: deviceForm) { $0.hasPrefix("/") }
        }
        let baud = reader.optional("baud") { value -> Int? in
            let expected =
                "one of the standard baud rates " + standardBaudRates.map(String.init).joined(separator: ", ")
            guard let (text, style) = value.scalar(expected: expected) else { return nil }
            let isDecimal = !text.isEmpty && text.allSatisfy { ("0"..."9").contains($0) }
            guard !style.isQuoted, isDecimal, let rate = Int(text), standardBaudRates.contains(rate) else {
                return value.fail("expected \(expected), got \(ConfigValue.quoted(text))")
            }
            return rate
        }
        let pin = reader.secret("pin", required: false)
        if let pin, !(4...8).contains(pin.count) || !pin.revealed.allSatisfy({ ("0"..."9").contains($0) }),
            let origin = reader.secretOrigin("pin")
        {
            origin.report("expected a SIM PIN of 4 to 8 digits; the value given is not (it is not shown)")
        }
        let statusReports = reader.optional("status_reports") { $0.bool() }
        guard let device else { return nil }
        var settings = ModemSettings(device: device)
        settings.baud = baud ?? settings.baud
        settings.pin = pin
        settings.statusReports = statusReports ?? settings.statusReports
        return settings
    }
}
