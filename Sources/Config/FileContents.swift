#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small file read whole with POSIX calls, with the reason when it could not be read.
///
/// Used for the config file and for secret files, which are both small; reads stop with
/// `.tooLarge` past `maximumSize` bytes.
struct FileContents {
    /// The reason a file could not be read.
    enum ReadError: Error, Equatable {
        case notFound
        case permissionDenied
        case isDirectory
        case tooLarge(maximumSize: Int)
        case system(errno: Int32)

        /// The reason in plain words, for an issue message.
        var reason: String {
            switch self {
            case .notFound: "no such file"
            case .permissionDenied: "permission denied"
            case .isDirectory: "it is a directory"
            case .tooLarge(let maximumSize): "it is larger than \(maximumSize) bytes"
            case .system(let code): String(cString: strerror(code))
            }
        }
    }

    var bytes: [UInt8]
    /// Permission bits (`st_mode & 0o777`).
    var permissions: UInt32

    /// Whether the group or others may read the file.
    var isReadableByGroupOrOthers: Bool { permissions & 0o044 != 0 }

    static func load(path: String, maximumSize: Int) -> Result<FileContents, ReadError> {
        let descriptor = openRetryingOnInterrupt(path)
        guard descriptor >= 0 else {
            return .failure(readError(errno))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            return .failure(readError(errno))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            return .failure(.isDirectory)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                return .failure(readError(errno))
            }
            if count == 0 {
                break
            }
            bytes += chunk[0..<count]
            if bytes.count > maximumSize {
                return .failure(.tooLarge(maximumSize: maximumSize))
            }
        }
        return .success(FileContents(bytes: bytes, permissions: UInt32(status.st_mode) & 0o777))
    }

    private static func openRetryingOnInterrupt(_ path: String) -> Int32 {
        while true {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 || errno != EINTR {
                return descriptor
            }
        }
    }

    private static func readError(_ code: Int32) -> ReadError {
        switch code {
        case ENOENT, ENOTDIR: .notFound
        case EACCES, EPERM: .permissionDenied
        case EISDIR: .isDirectory
        default: .system(errno: code)
        }
    }
}
