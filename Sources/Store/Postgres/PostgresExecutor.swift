import Foundation

/// A dedicated thread that owns one `PostgresConnection` and runs jobs on it one at a time, in
/// the order they were submitted.
///
/// Every libpq call of the store runs here, never on Swift's cooperative pool; async callers
/// wait on a continuation. A job that finds the connection lost reconnects first (`PQreset`).
/// The call that found the loss has already failed with a connection error, because whether
/// its transaction committed cannot be known. Jobs are not cancelled. After `close()`
/// new jobs fail with `StoreError.closed`, jobs already queued still run, then the connection
/// is closed and the thread ends.
final class PostgresExecutor: @unchecked Sendable {
    // @unchecked: `condition` guards `jobs` and `isClosed`; `connection` is read and written only
    // on the executor's thread, inside jobs.
    typealias Job = @Sendable (PostgresExecutor) -> Void

    /// The server and database without the password, for errors.
    let target: String
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var isClosed = false
    private var connection: PostgresConnection?

    /// Starts the thread. The connection is opened by the first job (see `open`).
    init(target: String) {
        self.target = target
        let thread = Thread { [self] in
            runLoop()
        }
        thread.name = "lifeline.postgres"
        thread.start()
    }

    /// Opens the connection on the executor's thread with `make`.
    func open(_ make: @escaping @Sendable () throws -> PostgresConnection) async throws {
        try await submit { executor in
            executor.connection = try make()
        }
    }

    /// Runs `body` with the connection on the executor's thread and returns its result.
    /// - Throws: `StoreError.closed` after `close()`; `PostgresError` when reconnecting fails;
    ///   errors of `body`.
    func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        try await submit { executor in
            guard let connection = executor.connection else { throw StoreError.closed(path: executor.target) }
            if !connection.isConnected {
                try connection.reset()
            }
            return try body(connection)
        }
    }

    /// Closes the connection after the jobs already queued, and ends the thread. Safe to call twice.
    func close() async {
        _ = try? await submit { executor in
            executor.connection?.close()
            executor.connection = nil
        }
        markClosed()
    }

    /// Asks the thread to close the connection and end without waiting, for `deinit`.
    func closeSoon() {
        condition.lock()
        if !isClosed {
            jobs.append { executor in
                executor.connection?.close()
                executor.connection = nil
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
        _ body: @escaping @Sendable (PostgresExecutor) throws -> Result
    ) async throws -> Result {
        let target = target
        return try await withCheckedThrowingContinuation { continuation in
            let job: Job = { executor in
                continuation.resume(with: Swift.Result { try body(executor) })
            }
            condition.lock()
            let accepted = !isClosed
            if accepted {
                jobs.append(job)
                condition.signal()
            }
            condition.unlock()
            if !accepted {
                continuation.resume(throwing: StoreError.closed(path: target))
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
