import Foundation

/// A dedicated thread that owns one `SQLiteConnection` and runs jobs on it one at a time, in the
/// order they were submitted.
///
/// Every SQLite call of the store runs here, never on Swift's cooperative pool; async callers
/// wait on a continuation. Jobs are not cancelled: each is one short transaction. After
/// `close()` new jobs fail with `StoreError.closed`, jobs already queued still run, then the
/// connection is closed and the thread ends.
final class SQLiteWriter: @unchecked Sendable {
    // @unchecked: `condition` guards `jobs` and `isClosed`; `connection` is read and written only
    // on the writer thread, inside jobs.
    typealias Job = @Sendable (SQLiteWriter) -> Void

    /// The database path, for errors.
    let path: String
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var isClosed = false
    private var connection: SQLiteConnection?

    /// Starts the thread. The connection is opened by the first job (see `open`).
    init(path: String) {
        self.path = path
        let thread = Thread { [self] in
            runLoop()
        }
        thread.name = "lifeline.sqlite"
        thread.start()
    }

    /// Opens the connection on the writer thread with `make`.
    func open(_ make: @escaping @Sendable () throws -> SQLiteConnection) async throws {
        try await submit { writer in
            writer.connection = try make()
        }
    }

    /// Runs `body` with the connection on the writer thread and returns its result.
    /// - Throws: `StoreError.closed` after `close()`; errors of `body`, with SQLite errors sorted
    ///   by `StoreError.classify`.
    func run<Result: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> Result) async throws -> Result {
        try await submit { writer in
            guard let connection = writer.connection else { throw StoreError.closed(path: writer.path) }
            return try body(connection)
        }
    }

    /// Closes the connection after the jobs already queued, and ends the thread. Safe to call twice.
    func close() async {
        _ = try? await submit { writer in
            writer.connection?.close()
            writer.connection = nil
        }
        markClosed()
    }

    /// Asks the thread to close the connection and end without waiting, for `deinit`.
    func closeSoon() {
        condition.lock()
        if !isClosed {
            jobs.append { writer in
                writer.connection?.close()
                writer.connection = nil
            }
        }
        isClosed = true
        condition.signal()
        condition.unlock()
    }

    private func markClosed() {
        condition.lock()
        isClosed = true
        condition.signal()
        condition.unlock()
    }

    private func submit<Result: Sendable>(
        _ body: @escaping @Sendable (SQLiteWriter) throws -> Result
    ) async throws -> Result {
        let path = path
        return try await withCheckedThrowingContinuation { continuation in
            let job: Job = { writer in
                continuation.resume(with: Swift.Result { try body(writer) }.mapError { StoreError.classify($0, path: path) })
            }
            condition.lock()
            let accepted = !isClosed
            if accepted {
                jobs.append(job)
                condition.signal()
            }
            condition.unlock()
            if !accepted {
                continuation.resume(throwing: StoreError.closed(path: path))
            }
        }
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !isClosed {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                connection?.close()
                connection = nil
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(self)
        }
    }
}
