import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The serial ports this process's modem sessions hold, so that a search for a modem by
/// identity never writes `AT` into a port another session is using.
///
/// Ports are keyed by their resolved path (`realpath`), so a `/dev/serial/by-id` link and the
/// `/dev/ttyUSB` node it points at are one port. Process-wide: another program holding a port
/// is not seen here.
enum SerialPortClaims {
    private static let held = Mutex<[String: Int]>([:])

    /// Claims `path` and returns the key to release, or `nil` when `exclusive` and another
    /// claim holds the port.
    static func claim(_ path: String, exclusive: Bool) -> String? {
        let key = resolved(path)
        return held.withLock { claims in
            if exclusive, claims[key, default: 0] > 0 { return nil }
            claims[key, default: 0] += 1
            return key
        }
    }

    /// Releases a claim returned by `claim`.
    static func release(_ key: String) {
        held.withLock { claims in
            let count = claims[key, default: 0] - 1
            claims[key] = count > 0 ? count : nil
        }
    }

    /// Whether some session has claimed the port `path` leads to.
    static func isHeld(_ path: String) -> Bool {
        let key = resolved(path)
        return held.withLock { $0[key, default: 0] > 0 }
    }

    /// `path` with symbolic links resolved, or `path` itself when it does not exist.
    static func resolved(_ path: String) -> String {
        guard let pointer = realpath(path, nil) else { return path }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
