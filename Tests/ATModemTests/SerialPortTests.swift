import ATModem
import Simulators
import Testing

@Suite("Serial port")
struct SerialPortTests {
    /// Opening a path that does not exist fails with a typed error naming the path.
    @Test func missingDeviceFails() {
        #expect(throws: SerialPortError.openFailed(path: "/dev/does-not-exist", errno: 2)) {
            _ = try SerialPort(path: "/dev/does-not-exist")
        }
    }

    /// A baud rate without a termios constant is refused before anything is opened.
    @Test func unsupportedBaudRateFails() {
        #expect(throws: SerialPortError.unsupportedBaudRate(12345)) {
            _ = try SerialPort(path: "/dev/null", baudRate: 12345)
        }
    }

    /// A file that is no terminal cannot be configured.
    @Test func nonTerminalFails() {
        #expect(throws: SerialPortError.configurationFailed(path: "/dev/null", errno: 25)) {
            _ = try SerialPort(path: "/dev/null")
        }
    }

    /// Bytes written to a pty reach the simulator and its answer comes back; a closed master reads as a hang-up.
    @Test func roundTripAndHangUp() throws {
        let simulator = ModemSimulator()
        let port = try SerialPort(path: try simulator.start())
        try port.write(Array("AT\r".utf8))
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while !String(decoding: received, as: UTF8.self).contains("OK"), ContinuousClock.now < deadline {
            received += try port.read(timeout: .seconds(1))
        }
        #expect(String(decoding: received, as: UTF8.self).contains("OK"))

        simulator.stop()
        #expect(throws: SerialPortError.hungUp(path: port.name)) {
            for _ in 0..<10 { _ = try port.read(timeout: .seconds(1)) }
        }
        port.close()
        #expect(throws: SerialPortError.closed(path: port.name)) { _ = try port.read(timeout: .zero) }
    }

    /// Pseudo terminals are not in libserialport's list, which only serves to find USB modems.
    @Test func directoryOmitsPseudoTerminals() throws {
        let simulator = ModemSimulator()
        let path = try simulator.start()
        defer { simulator.stop() }
        let ports = try SerialPortDirectory.list()
        #expect(!ports.contains { $0.path == path })
        #expect(try SerialPortDirectory.ports(vendorID: 0x12d1).allSatisfy { $0.vendorID == 0x12d1 })
    }

    /// ESC before a command (a host leaving a prompt) is dropped by the simulated modem, which answers the AT with OK.
    @Test(arguments: ["\u{1B}AT\r", "AT+CMG\u{1B}AT\r"])
    func escapeBeforeCommandIgnored(_ input: String) throws {
        let simulator = ModemSimulator()
        defer { simulator.stop() }
        let port = try SerialPort(path: try simulator.start())
        defer { port.close() }
        try port.write(Array(input.utf8))
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            received += try port.read(timeout: .seconds(1))
            let text = String(decoding: received, as: UTF8.self)
            if text.contains("OK\r\n") || text.contains("ERROR\r\n") { break }
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.contains("\r\nOK\r\n"), "\(text.debugDescription)")
        #expect(!text.contains("ERROR"), "\(text.debugDescription)")
        #expect(simulator.receivedCommands == ["AT"])
    }
}
