import Foundation

/// A dedicated thread that owns one `SQLiteConnection` and runs jobs on it in the order they were
/// submitted.
///
/// Every SQLite call of the store runs here, never on Swift's cooperative pool; async callers
/// wait on a continuation. Jobs are not cancelled. After `close()` new jobs fail with
/// `StoreError.closed`, jobs already queued still run, then the connection is closed and the
/// thread ends.
///
/// Two kinds of job:
/// - `run` jobs run alone and manage their own transaction (intake, migrations, maintenance).
/// - `runGrouped` jobs that wait next to each other share one transaction (group commit). The
///   thread takes up to `maxGroupSize` of them and opens one `BEGIN IMMEDIATE` when any of them
///   writes. It runs them one after the other, commits once, and only then resumes their callers.
///
/// A grouped job that throws costs the group its transaction. The thread rolls it back and
/// resumes that job with its error. Then it runs the others again in a new transaction, each
/// inside its own savepoint this time, so a second failure rolls back only its own writes. A
/// failed commit fails every job of the group. Each caller therefore sees what it would have seen
/// with a transaction of its own, and nothing is acknowledged before it is committed, but a burst
/// of small state changes costs one commit instead of one each.
///
/// Savepoints are left for that second run because each one copies every page its job changes
/// into the statement journal. In the SMPP benchmark that was about 36 page copies per message.
final class SQLiteWriter: @unchecked Sendable {
    // @unchecked: `condition` guards `jobs` and `isClosed`; `connection` is read and written only
    // on the writer thread, inside jobs.

    /// The maximum number of grouped jobs in one transaction, which bounds how long the first waits.
    static let maxGroupSize = 64

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

    /// Runs `body` alone with the connection on the writer thread and returns its result. `body`
    /// opens its own transaction when it needs one.
    /// - Throws: `StoreError.closed` after `close()`; errors of `body`, with SQLite errors sorted
    ///   by `StoreError.classify`.
    func run<Result: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> Result) async throws -> Result {
        try await submit { writer in
            guard let connection = writer.connection else { throw StoreError.closed(path: writer.path) }
            return try body(connection)
        }
    }

    /// Runs `body` inside a transaction shared with the grouped jobs queued next to it, and returns
    /// its result once that transaction has committed. `body` must not begin or end a transaction.
    ///
    /// `body` runs a second time when another job of its group fails, after the first run was
    /// rolled back. So it must act on the connection only, never on state outside the database.
    ///
    /// - Parameter writes: `false` for a body that only reads; a group of readers alone takes no
    ///   write lock.
    /// - Throws: as `run`; also the commit's error, for every job of the group.
    func runGrouped<Result: Sendable>(
        writes: Bool = true,
        _ body: @escaping @Sendable (SQLiteConnection) throws -> Result
    ) async throws -> Result {
        let path = path
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = GroupedOutcome<Result>()
            let job = GroupedJob(
                writes: writes,
                perform: { connection in
                    outcome.value = Swift.Result { try body(connection) }
                    if case .success = outcome.value { return true }
                    return false
                },
                complete: { commitError in
                    if let commitError {
                        continuation.resume(throwing: StoreError.classify(commitError, path: path))
                    } else if let value = outcome.value {
                        continuation.resume(with: value.mapError { StoreError.classify($0, path: path) })
                    } else {
                        continuation.resume(throwing: StoreError.closed(path: path))
                    }
                }
            )
            enqueue(.grouped(job)) {
                continuation.resume(throwing: StoreError.closed(path: path))
            }
        }
    }

    /// The jobs waiting for the thread, not counting the one it runs.
    var queuedJobCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
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
            jobs.append(.alone { writer in
                writer.connection?.close()
                writer.connection = nil
            })
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
            let job = Job.alone { writer in
                continuation.resume(with: Swift.Result { try body(writer) }.mapError { StoreError.classify($0, path: path) })
            }
            enqueue(job) {
                continuation.resume(throwing: StoreError.closed(path: path))
            }
        }
    }

    /// Queues `job`, or calls `refused` when the writer is closed.
    private func enqueue(_ job: Job, refused: () -> Void) {
        condition.lock()
        let accepted = !isClosed
        if accepted {
            jobs.append(job)
            condition.signal()
        }
        condition.unlock()
        if !accepted { refused() }
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
            let next = takeNext()
            condition.unlock()
            switch next {
            case .alone(let job): job(self)
            case .group(let group): runGroup(group[...])
            }
        }
    }

    /// Removes the first job, or the grouped jobs at the head of the queue. Called with the lock held.
    private func takeNext() -> Batch {
        if case .alone(let job) = jobs[0] {
            jobs.removeFirst()
            return .alone(job)
        }
        var group: [GroupedJob] = []
        var taken = 0
        for job in jobs {
            guard case .grouped(let grouped) = job, group.count < SQLiteWriter.maxGroupSize else { break }
            group.append(grouped)
            taken += 1
        }
        jobs.removeFirst(taken)
        return .group(group)
    }

    /// Runs grouped jobs in one transaction (none when all of them only read), then resumes them.
    ///
    /// The transaction statements go through the connection's statement cache, so they are parsed
    /// once, not for every job.
    private func runGroup(_ group: ArraySlice<GroupedJob>) {
        guard let connection else {
            for job in group { job.complete(StoreError.closed(path: path)) }
            return
        }
        guard group.contains(where: \.writes) else {
            for job in group {
                _ = job.perform(connection)
                job.complete(nil)
            }
            return
        }

        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            for job in group { job.complete(error) }
            return
        }
        for index in group.indices {
            if group[index].perform(connection) { continue }
            // Without a savepoint, the failed job's writes cannot be undone alone. So the whole
            // transaction is rolled back, the job keeps its error, and the others run again.
            try? connection.execute(sql: "ROLLBACK")
            group[index].complete(nil)
            let others = Array(group[..<index]) + group[(index + 1)...]
            if !others.isEmpty { runGroupInSavepoints(others[...]) }
            return
        }
        commit(group, on: connection)
    }

    /// Runs grouped jobs in one transaction, each inside its own savepoint, then resumes them.
    /// A job that fails rolls back to its savepoint and leaves the others' writes in place.
    private func runGroupInSavepoints(_ group: ArraySlice<GroupedJob>) {
        guard let connection else {
            for job in group { job.complete(StoreError.closed(path: path)) }
            return
        }
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            for job in group { job.complete(error) }
            return
        }
        for index in group.indices {
            let job = group[index]
            var performed = false
            var succeeded = false
            do {
                try connection.execute("SAVEPOINT grouped_job")
                performed = true
                succeeded = job.perform(connection)
                if !succeeded { try connection.execute("ROLLBACK TO grouped_job") }
                try connection.execute("RELEASE grouped_job")
            } catch {
                // SQLite rolled the whole transaction back (disk full, I/O error): the jobs run so
                // far lost their writes and fail; a job whose body failed keeps its own error. The
                // jobs not run yet get a transaction of their own.
                try? connection.execute(sql: "ROLLBACK")
                for done in group[..<index] { done.complete(error) }
                job.complete(performed && !succeeded ? nil : error)
                if index + 1 < group.endIndex { runGroupInSavepoints(group[(index + 1)...]) }
                return
            }
        }
        commit(group, on: connection)
    }

    /// Commits the open transaction and resumes the group's jobs, or fails them all.
    private func commit(_ group: ArraySlice<GroupedJob>, on connection: SQLiteConnection) {
        do {
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute(sql: "ROLLBACK")
            for job in group { job.complete(error) }
            return
        }
        for job in group { job.complete(nil) }
    }
}

extension SQLiteWriter {
    /// One queued unit of work.
    fileprivate enum Job {
        case alone(@Sendable (SQLiteWriter) -> Void)
        case grouped(GroupedJob)
    }

    /// The next work for the thread: one job alone, or a group in one transaction.
    fileprivate enum Batch {
        case alone(@Sendable (SQLiteWriter) -> Void)
        case group([GroupedJob])
    }

    /// A job of a shared transaction: `perform` runs the body on the writer thread and says whether
    /// it succeeded; `complete` then resumes the caller with the body's outcome, or with the error
    /// that cost the transaction.
    fileprivate struct GroupedJob {
        let writes: Bool
        let perform: (SQLiteConnection) -> Bool
        let complete: ((any Error)?) -> Void
    }
}

/// The outcome of a grouped job's body, kept until its transaction ends. Only the writer thread
/// touches it.
private final class GroupedOutcome<Value> {
    var value: Swift.Result<Value, any Error>?
}
