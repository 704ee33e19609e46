#if canImport(Glibc)
    import Glibc
#endif

/// The way a session finds its modem's AT port: a fixed path, or the identity the modem reports.
///
/// Kernel names such as `/dev/ttyUSB2` follow the order in which ports appear, so a replug or a
/// reset that re-enumerates the USB bus can move a modem to another name. An identity binding
/// searches the candidate ports for the modem whose `AT+CGSN` (IMEI) or `AT+CCID` (ICCID)
/// matches, and searches again each time recovery reopens the port.
public enum ModemBinding: Sendable, Equatable, CustomStringConvertible {
    /// A fixed path, such as `/dev/ttyUSB2` or a `/dev/serial/by-id/...` link, opened as given.
    case device(String)
    /// The port whose modem reports `identity`, searched among the ports `search` lists.
    case identity(ModemIdentity, search: PortSearch)

    /// The path, or `imei:<digits>` / `iccid:<digits>`, for logs and errors.
    public var description: String {
        switch self {
        case .device(let path): path
        case .identity(let identity, _): identity.description
        }
    }
}

/// An identifier a modem reports about itself that stays the same across replugs.
public enum ModemIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The modem's IMEI (`AT+CGSN`): the hardware, whatever SIM is in it.
    case imei(String)
    /// The SIM's ICCID (`AT+CCID`): follows the SIM card when it moves to another modem. Some
    /// modems return it only once the SIM is unlocked, so bind those by IMEI.
    case iccid(String)

    /// `imei:<digits>` or `iccid:<digits>`.
    public var description: String {
        switch self {
        case .imei(let value): "imei:\(value)"
        case .iccid(let value): "iccid:\(value)"
        }
    }

    /// The commands that read this identity, tried in order until one returns `OK`.
    var commands: [String] {
        switch self {
        case .imei: ["AT+CGSN"]
        case .iccid: ["AT+CCID", "AT+ICCID"]
        }
    }

    /// Checks whether a response line (`867530012345674`, `+CGSN: 8675...`, `+CCID: "8944...F"`)
    /// carries this identity. Compares digits only, so an ICCID's padding `F` is ignored.
    public func matchesAnswer(_ line: String) -> Bool {
        var text = Substring(line)
        if text.hasPrefix("+") || text.hasPrefix("^"), let colon = text.firstIndex(of: ":") {
            text = text[text.index(after: colon)...]
        }
        let answer = text.filter { $0.isASCII && $0.isNumber }
        switch self {
        case .imei(let value), .iccid(let value):
            let wanted = value.filter { $0.isASCII && $0.isNumber }
            return !wanted.isEmpty && answer == wanted
        }
    }
}

/// The set of ports an identity binding searches for its modem.
public enum PortSearch: Sendable, Hashable {
    /// The USB serial ports libserialport lists (`/dev/ttyUSB*`, `/dev/ttyACM*`), in path order.
    case usbSerialPorts
    /// The paths matching a glob(3) pattern, such as `/dev/ttyUSB*`, in path order. Matches
    /// symbolic links too, so a pattern can cover `/dev/serial/by-id/*` or links to test ptys.
    case pattern(String)

    /// Lists the candidate paths now; an empty list when nothing matches or listing fails.
    public func candidates() -> [String] {
        switch self {
        case .usbSerialPorts:
            let ports = (try? SerialPortDirectory.list()) ?? []
            return ports.filter(\.isUSB).map(\.path)
        case .pattern(let pattern):
            return PortSearch.expand(pattern)
        }
    }

    /// Expands `pattern` with glob(3), sorted; `[]` when nothing matches.
    static func expand(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }
}
