import Foundation

/// Where the wake-up socket of a queue database lives.
///
/// The socket path is the database's absolute path (directory symlinks resolved) with `.wake`
/// appended, so the CLI and the daemon find the same socket whatever their working directory.
/// A `sun_path` has room for 107 bytes plus the NUL. When the derived path is longer, the socket
/// goes to `/tmp/lifeline-<hash>.wake` instead, where `<hash>` is the 64-bit FNV-1a hash of the
/// database's absolute path in hex. Both processes compute the same fallback, and two databases
/// get two sockets unless their paths collide in that 64-bit hash.
public enum QueueWakeAddress {
    /// The longest path a `sockaddr_un` can hold, without its terminating NUL.
    public static let maximumPathLength = 107

    /// The wake-up socket path for the database at `databasePath`.
    public static func socketPath(forDatabase databasePath: String) -> String {
        let absolute = canonicalPath(databasePath)
        let derived = absolute + ".wake"
        if derived.utf8.count <= maximumPathLength {
            return derived
        }
        return "/tmp/lifeline-\(hexHash(absolute)).wake"
    }

    /// The absolute path with `.` and `..` removed and the directory's symlinks resolved when it exists.
    static func canonicalPath(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = url.deletingLastPathComponent().path
        guard let resolved = realpath(directory, nil) else { return url.path }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return (base == "/" ? "" : base) + "/" + url.lastPathComponent
    }

    /// 64-bit FNV-1a of the UTF-8 bytes, as 16 hex digits.
    static func hexHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// A `sockaddr_un` for `path`, which must fit (see `maximumPathLength`).
    static func socketAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(maximumPathLength))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
