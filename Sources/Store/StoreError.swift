import Foundation

/// An error from the store. Each carries the database path, and `description` gives an
/// administrator the fix for the faults they can correct.
///
/// A failed call never removes what an earlier call committed: the failing transaction is rolled
/// back as a whole.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file cannot be written: its permissions, the file system, or an immutable flag.
    case readOnlyFile(path: String)
    /// The directory holding the database cannot be written, so SQLite cannot create its `-wal`
    /// and `-shm` files next to it.
    case readOnlyDirectory(path: String, directory: String)
    /// The disk holding the database is full (`SQLITE_FULL`). The transaction that hit it was
    /// rolled back; everything committed before is intact.
    case diskFull(path: String)
    /// The file is not a SQLite database, or its pages are damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    case corrupt(path: String, detail: String)
    /// The file or its directory could not be opened for another reason, such as a missing directory.
    case cannotOpen(path: String, detail: String)
    /// The file was written by a newer Lifeline whose schema this version does not know.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// The store was closed; no further call runs.
    case closed(path: String)
    /// No message has this id.
    case messageNotFound(MessageID)
    /// No attempt has this id.
    case attemptNotFound(AttemptID)
    /// No broadcast has this id.
    case broadcastNotFound(Int64)
    /// Any other SQLite failure, with SQLite's code, message and statement.
    case database(path: String, SQLiteError)

    public var description: String {
        switch self {
        case .readOnlyFile(let path):
            "The queue database \(path) is read-only. Give the user the daemon runs as write permission on "
                + "the file (chown/chmod), check that the file system is not mounted read-only, and remove any "
                + "immutable flag (lsattr, chattr -i)."
        case .readOnlyDirectory(let path, let directory):
            "The directory \(directory) holding the queue database \(path) is read-only. SQLite must create "
                + "its -wal and -shm files there: give the user the daemon runs as write permission on the directory."
        case .diskFull(let path):
            "The disk holding the queue database \(path) is full; the last change was not saved, earlier ones "
                + "are safe. Free space on that file system (df -h), or prune old messages, then retry."
        case .corrupt(let path, let detail):
            "The queue database \(path) is damaged or is not a SQLite database (\(detail)). Stop the daemon, "
                + "move the file and its -wal and -shm files aside, and restore them from a backup or salvage "
                + "rows with `sqlite3 <file> .recover`."
        case .cannotOpen(let path, let detail):
            "The queue database \(path) cannot be opened (\(detail)). Check that its directory exists and that "
                + "the user the daemon runs as may enter and write it."
        case .schemaTooNew(let path, let found, let supported):
            "The queue database \(path) has schema version \(found), newer than the \(supported) this version "
                + "understands. Run the newer Lifeline, or restore a backup made by this version."
        case .closed(let path):
            "The queue database \(path) is closed."
        case .messageNotFound(let id):
            "No message has id \(id)."
        case .attemptNotFound(let id):
            "No attempt has id \(id)."
        case .broadcastNotFound(let id):
            "No broadcast has id \(id)."
        case .database(let path, let error):
            "The queue database \(path) failed: \(error)"
        }
    }

    /// Sorts a SQLite failure into the faults an administrator can fix, keeping the rest as `.database`.
    static func classify(_ error: any Error, path: String) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        switch error.code {
        case .readOnly:
            if let directory = unwritableDirectory(of: path) {
                return StoreError.readOnlyDirectory(path: path, directory: directory)
            }
            return StoreError.readOnlyFile(path: path)
        case .full:
            return StoreError.diskFull(path: path)
        // A file made read-only or a disk filled under an open connection fails its writes with
        // an I/O error. SQLite's errno may belong to a later call, so the files are checked too.
        case .ioError where [EPERM, EACCES, EROFS].contains(error.systemErrno) || !filesWritable(path):
            return StoreError.readOnlyFile(path: path)
        case .ioError where [ENOSPC, EDQUOT].contains(error.systemErrno) || freeBlocks(path) == 0:
            return StoreError.diskFull(path: path)
        case .corrupt, .notADatabase:
            return StoreError.corrupt(path: path, detail: error.message)
        case .cannotOpen:
            if let directory = unwritableDirectory(of: path) {
                return StoreError.readOnlyDirectory(path: path, directory: directory)
            }
            return StoreError.cannotOpen(path: path, detail: error.message)
        default:
            return StoreError.database(path: path, error)
        }
    }

    /// Returns whether this process may write the database file and its `-wal` file, where they exist.
    private static func filesWritable(_ path: String) -> Bool {
        let files: [String] = [path, path + "-wal"]
        return files.allSatisfy { access($0, F_OK) != 0 || access($0, W_OK) == 0 }
    }

    /// Returns the blocks free to this process on the database's file system, or `nil` when unknown.
    private static func freeBlocks(_ path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail)
    }

    /// The database's directory when it exists and cannot be written by this process.
    private static func unwritableDirectory(of path: String) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        let target = directory.isEmpty ? "." : directory
        guard access(target, F_OK) == 0, access(target, W_OK) != 0 else { return nil }
        return target
    }
}
