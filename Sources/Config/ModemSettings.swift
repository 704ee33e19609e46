/// A GSM modem on a serial port, driven with AT commands.
///
/// The modem is named by exactly one of `device`, `imei` or `iccid`. With `imei` or `iccid`,
/// Lifeline searches the serial ports (`scan`, by default the USB serial ports) for the modem
/// that reports it. It searches at start and again each time recovery reopens the port, so a
/// modem that comes back under another `/dev/ttyUSBn` after a replug is found.
public struct ModemSettings: Sendable, Equatable {
    /// Baud rates a USB modem's serial port accepts (termios `B1200` to `B921600`).
    public static let standardBaudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600]
    /// The reset command recovery sends when no `reset_command` is given.
    public static let defaultResetCommand = "AT+CFUN=1,1"

    /// The serial device; prefer a stable `/dev/serial/by-id/…` path over `/dev/ttyUSB0`.
    /// `nil` when the modem is named by `imei` or `iccid`.
    public var device: String?
    /// The modem's IMEI (`AT+CGSN`), 14 to 16 digits, to find it among the serial ports.
    public var imei: String?
    /// The SIM's ICCID (`AT+CCID`), 18 to 22 digits, to find the modem holding that SIM.
    public var iccid: String?
    /// A glob(3) pattern of the ports searched for `imei`/`iccid`, such as `/dev/ttyUSB*`;
    /// `nil` searches every USB serial port libserialport lists.
    public var scan: String?
    /// Default 115200.
    public var baud: Int = 115200
    /// The SIM PIN, needed only when the SIM is PIN-locked; 4 to 8 digits.
    public var pin: Secret?
    /// Requests status reports (`+CDS`) for each message; default true.
    public var statusReports = true
    /// The command recovery sends to restart a silent modem; default `AT+CFUN=1,1`. Some modems
    /// want `AT^RESET` or `AT+CFUN=15`.
    public var resetCommand = ModemSettings.defaultResetCommand
    /// Whether recovery may power-cycle the modem's USB device through sysfs after the reset
    /// command failed; default true. It needs write access to sysfs and is skipped without it.
    public var usbReset = true

    /// Settings for the modem on `device`.
    public init(device: String) {
        self.device = device
    }

    /// Settings for a modem found by identity: exactly one of `imei` and `iccid`.
    public init(imei: String? = nil, iccid: String? = nil, scan: String? = nil) {
        self.imei = imei
        self.iccid = iccid
        self.scan = scan
    }

    static func decode(_ reader: MappingReader) -> ModemSettings? {
        let deviceForm = "the absolute path of the serial device, such as /dev/serial/by-id/usb-…-if00"
        let device = reader.optional("device") { $0.string(expected: deviceForm) { $0.hasPrefix("/") } }
        let imei = reader.optional("imei") { value in
            digits(value, expected: "the modem's IMEI, 14 to 16 digits (lifeline modem probe shows it)", count: 14...16)
        }
        let iccid = reader.optional("iccid") { value in
            digits(value, expected: "the SIM's ICCID, 18 to 22 digits (lifeline modem probe shows it)", count: 18...22)
        }
        let scan = reader.optional("scan") { value in
            value.string(expected: "an absolute glob pattern of serial ports, such as /dev/ttyUSB*") { $0.hasPrefix("/") }
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
        let resetCommand = reader.optional("reset_command") { value in
            value.string(expected: "one AT command, such as AT+CFUN=1,1 or AT^RESET", where: isSingleATCommand)
        }
        let usbReset = reader.optional("usb_reset") { $0.bool() }

        let named = [("device", device != nil), ("imei", imei != nil), ("iccid", iccid != nil)].filter(\.1)
        guard named.count == 1 else {
            if named.count > 1 {
                reader.decoder.report(
                    reader.keyMark(named[1].0) ?? reader.value.mark,
                    path: reader.path(of: named[1].0),
                    "give only one of device, imei and iccid; got " + named.map(\.0).joined(separator: " and ")
                )
            } else if ["device", "imei", "iccid"].allSatisfy({ reader.child($0)?.node.isNull ?? true }),
                let empty = ["device", "imei", "iccid"].lazy.compactMap({ reader.child($0) }).first
            {
                // A key written with no value (`device:`) names no modem. A value that is present
                // but invalid was reported where it was decoded.
                empty.report("expected \(deviceForm), got nothing; or give imei or iccid to find the modem by identity")
            } else if reader.child("device") == nil, reader.child("imei") == nil, reader.child("iccid") == nil {
                reader.decoder.report(
                    reader.value.mark,
                    path: reader.path(of: "device"),
                    "missing required key; expected device (\(deviceForm)), or imei or iccid to find the modem by identity"
                )
            }
            return nil
        }
        if scan != nil, device != nil, let value = reader.child("scan") {
            value.report("scan applies to a modem found by imei or iccid; remove it or name the modem by identity")
        }
        var settings = device.map(ModemSettings.init(device:)) ?? ModemSettings(imei: imei, iccid: iccid, scan: scan)
        settings.baud = baud ?? settings.baud
        settings.pin = pin
        settings.statusReports = statusReports ?? settings.statusReports
        settings.resetCommand = resetCommand ?? settings.resetCommand
        settings.usbReset = usbReset ?? settings.usbReset
        return settings
    }

    /// Reads a run of digits of a length in `count`, given as a YAML string or number.
    private static func digits(_ value: ConfigValue, expected: String, count: ClosedRange<Int>) -> String? {
        guard let (text, _) = value.scalar(expected: expected) else { return nil }
        guard count.contains(text.count), text.allSatisfy({ ("0"..."9").contains($0) }) else {
            return value.fail("expected \(expected), got \(ConfigValue.quoted(text))")
        }
        return text
    }

    /// Checks that `text` is one AT command: starts with `AT`, printable ASCII, at most 64 characters.
    static func isSingleATCommand(_ text: String) -> Bool {
        text.count <= 64 && text.uppercased().hasPrefix("AT") && text.count > 2
            && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }
}
