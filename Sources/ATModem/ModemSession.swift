import Diagnostics

/// One GSM modem: opens its port, initialises it, sends PDUs, reports status reports, recovers.
///
/// Public operations run one at a time in call order (an initialisation never interleaves with
/// a send). Unsolicited codes are handled as they arrive: `+CDS` and `+CMT` are acknowledged
/// with `AT+CNMA` when `AT+CSMS?` reported service 1 and then published on `events`; `+CDSI` is
/// read from storage with `AT+CMGR` and deleted. A message announced by `+CMTI` (or listed at
/// start-up) is read and published, and stays stored until the consumer has kept it and calls
/// `deleteStored(index:memory:)`. Each stored index is published once until it is deleted. When a command times out or the port fails, the
/// session publishes `.modemLost` and runs `recover()` before its next operation.
/// After `close()` every operation throws `ModemError.closed` and `events` finishes.
public actor ModemSession {
    /// The configured device path, such as `/dev/ttyUSB2`, or `imei:<digits>`/`iccid:<digits>` for
    /// a modem bound by identity; for logs and errors. `portPath` is the port actually open.
    public nonisolated let devicePath: String
    /// The fixed path or identity that finds the port.
    public nonisolated let binding: ModemBinding
    /// Status reports, inbound message notices and modem loss or recovery, in arrival order.
    ///
    /// Buffers up to 1,000 events for a slow reader and then drops the oldest.
    public nonisolated let events: AsyncStream<ModemEvent>

    let baudRate: Int
    let pin: String?
    let timeouts: ModemTimeouts
    let resetCommand: String
    let usbReset: USBReset
    let readsStoredMessages: Bool
    var logger: Logger

    let eventSink: AsyncStream<ModemEvent>.Continuation
    let signalSink: AsyncStream<ChannelSignal>.Continuation
    var channel: ATChannel?
    var channelGeneration = 0
    /// The port last opened; an identity search tries it first.
    var openedPath: String?
    /// The claim on the open port in `SerialPortClaims`, released when the channel closes.
    var portClaim: String?
    var phase = ModemSessionState.closed
    /// `<service>` of `AT+CSMS?`: 1 means every `+CDS` and `+CMT` must be acknowledged with `AT+CNMA`.
    var messageService = 0
    var busy = false
    /// Stored messages published and not yet deleted, as `ModemSession.storedKey(memory:index:)`;
    /// a later `+CMTI` or listing of the same index is not published again.
    var publishedIndexes: Set<String> = []
    var waiters: [CheckedContinuation<Void, Never>] = []
    private var signalTask: Task<Void, Never>?

    /// A report from the channel thread to the session.
    enum ChannelSignal: Sendable {
        case unsolicited(UnsolicitedResultCode, generation: Int)
        case portFailed(SerialPortError, generation: Int)
    }

    /// Creates a session on a fixed path; nothing is opened until `initialise()` or `probe()`.
    ///
    /// - Parameters:
    ///   - devicePath: the modem's AT port, such as `/dev/ttyUSB2` (see `SerialPortDirectory`).
    ///   - baudRate: the line speed; USB modems ignore it.
    ///   - pin: the SIM PIN, entered only when the SIM requires it. Never logged.
    ///   - logger: commands and lines at `trace`, steps at `debug`.
    ///   - timeouts: per-command, send, SIM-busy and recovery timing.
    ///   - resetCommand: the command recovery uses to restart the modem (`AT+CFUN=1,1`; some
    ///     modems want `AT^RESET` or `AT+CFUN=15`).
    ///   - usbReset: how recovery power-cycles the USB device after the reset command failed.
    ///   - readsStoredMessages: after each initialisation, lists the messages already stored on
    ///     the modem (`AT+CMGL=4`) and publishes them as events (status reports found there are
    ///     deleted; received messages stay until `deleteStored(index:memory:)`). Off by default,
    ///     so a diagnostic session (`lifeline modem probe`) never reads or deletes the SIM's messages.
    public init(
        devicePath: String,
        baudRate: Int = 115_200,
        pin: String? = nil,
        logger: Logger,
        timeouts: ModemTimeouts = ModemTimeouts(),
        resetCommand: String = "AT+CFUN=1,1",
        usbReset: USBReset = USBReset(),
        readsStoredMessages: Bool = false
    ) {
        self.init(
            binding: .device(devicePath),
            baudRate: baudRate,
            pin: pin,
            logger: logger,
            timeouts: timeouts,
            resetCommand: resetCommand,
            usbReset: usbReset,
            readsStoredMessages: readsStoredMessages
        )
    }

    /// Creates a session that finds its port through `binding`; nothing is opened until
    /// `initialise()` or `probe()`.
    ///
    /// With an identity binding every opening of the port (the first, and each reopening during
    /// recovery) searches the candidate ports again, so a modem that came back under another
    /// path is found. The other parameters are those of `init(devicePath:...)`.
    public init(
        binding: ModemBinding,
        baudRate: Int = 115_200,
        pin: String? = nil,
        logger: Logger,
        timeouts: ModemTimeouts = ModemTimeouts(),
        resetCommand: String = "AT+CFUN=1,1",
        usbReset: USBReset = USBReset(),
        readsStoredMessages: Bool = false
    ) {
        let devicePath = binding.description
        self.devicePath = devicePath
        self.binding = binding
        self.usbReset = usbReset
        self.readsStoredMessages = readsStoredMessages
        self.baudRate = baudRate
        self.pin = pin
        self.timeouts = timeouts
        self.resetCommand = resetCommand
        var logger = logger
        logger[metadataKey: "modem.device"] = devicePath
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: ModemEvent.self, bufferingPolicy: .bufferingNewest(1000))
        let (signals, signalSink) = AsyncStream.makeStream(of: ChannelSignal.self)
        self.signalSink = signalSink
        signalTask = nil
        Task { await self.startSignalLoop(signals) }
    }

    /// The session's lifecycle state, for health displays; operations check it themselves.
    public var state: ModemSessionState { phase }

    /// The port opened last (for an identity binding, where the modem was found); `nil` before
    /// the first opening.
    public var portPath: String? { openedPath }

    /// Opens the port if needed and brings the modem into a known state.
    ///
    /// Runs `AT`, `ATE0`, `AT+CMEE=1`, `AT+CPIN?` (entering the PIN when the SIM requires it),
    /// `AT+CMGF=0`, `AT+CSMS?`, `AT+CNMI` (status reports as `+CDS`, else `+CDSI`) and
    /// `AT+CREG?`. Commands answered with SIM busy are retried per `timeouts`. Not being
    /// registered does not fail initialisation; `probe()` reports it.
    /// - Throws: `ModemError.port`, `.noAnswer`, `.pinRequired`, `.invalidPIN`, `.simLocked`,
    ///   `.commandFailed`, `.closed`.
    public func initialise() async throws(ModemError) {
        try await exclusively { () async throws(ModemError) in
            try await self.openAndInitialise()
        }
    }

    /// Sends one SMS-SUBMIT PDU and returns the message reference from `+CMGS`.
    ///
    /// - Parameters:
    ///   - pdu: the PDU bytes, starting with the SMSC length octet (`00` to use the SIM's SMSC).
    ///   - tpduLength: the TPDU length for `AT+CMGS=<n>`: `pdu.count` minus the SMSC part.
    /// - Returns: TP-MR, which status reports carry to match this message.
    /// - Throws: `ModemError.commandFailed` with the `+CMS ERROR` code as soon as the modem sends
    ///   it; `.noAnswer` when the send timeout passes (ambiguous: the message may have left);
    ///   `.down` when the modem is marked down; `.invalidPDU` when `tpduLength` does not match
    ///   the octets after the SMSC field; `.port` or `.closed`.
    public func send(pdu: [UInt8], tpduLength: Int) async throws(ModemError) -> Int {
        try await exclusively { () async throws(ModemError) -> Int in
            try await self.performSend(pdu: pdu, tpduLength: tpduLength)
        }
    }

    /// Deletes the received message stored at `index` in `memory` (`AT+CPMS`, then `AT+CMGD`).
    ///
    /// Call it once the message published for that index is kept safe elsewhere; until then the
    /// message stays on the modem and the next session's start-up listing publishes it again.
    /// Runs in turn with the other operations; does not recover a lost modem.
    /// - Throws: `ModemError.commandFailed` when the modem refuses, `.noAnswer`, `.port`, `.closed`.
    public func deleteStored(index: Int, memory: String) async throws(ModemError) {
        try await exclusively { () async throws(ModemError) in
            try await self.performDeleteStored(index: index, memory: memory)
        }
    }

    /// Reads identity, SIM, registration, operator, signal and SMSC without sending a message.
    ///
    /// Opens the port when needed and never throws: what cannot be read stays `nil` and the
    /// diagnosis names what to check. After `close()` the status is unresponsive, with a diagnosis naming the closed session.
    public func probe() async -> ModemStatus {
        let result = try? await exclusively { () async throws(ModemError) -> ModemStatus in
            await self.performProbe()
        }
        if let result { return result }
        var status = ModemStatus(device: devicePath)
        status.diagnosis = ["the modem session on \(devicePath) is closed: restart the daemon to use this modem"]
        return status
    }

    /// Brings a silent modem back: `AT`, then reopening the port, then the reset command; marks it
    /// down when none of them works within `timeouts.resetRecovery`.
    ///
    /// Publishes `.modemRecovered` or `.modemDown`. A modem marked down stays down until a
    /// later `recover()` succeeds.
    public func recover() async -> ModemRecovery {
        let result = try? await exclusively { () async throws(ModemError) -> ModemRecovery in
            await self.performRecovery()
        }
        return result ?? .down
    }

    /// Closes the port and finishes `events`. Operations after this throw `ModemError.closed`.
    public func close() async {
        phase = .shutDown
        await closeChannel()
        signalSink.finish()
        eventSink.finish()
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    // MARK: - Serialising operations

    /// Runs `body` after every earlier operation has finished.
    func exclusively<Value: Sendable>(
        _ body: () async throws(ModemError) -> Value
    ) async throws(ModemError) -> Value {
        while busy {
            await withCheckedContinuation { waiters.append($0) }
        }
        guard phase != .shutDown else { throw .closed }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }

    private func startSignalLoop(_ signals: AsyncStream<ChannelSignal>) {
        signalTask = Task { [weak self] in
            for await signal in signals {
                guard let self else { return }
                await self.handle(signal)
            }
        }
    }
}
