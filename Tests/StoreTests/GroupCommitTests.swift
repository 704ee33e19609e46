import Foundation
import Testing

@testable import Store

/// The writer thread's shared transactions, driven directly so that the jobs of one group are
/// known. A job run alone blocks the thread while the grouped jobs queue up behind it.
@Suite struct GroupCommitTests {
    /// A grouped job that writes and then throws leaves no row, reports its own error, and the
    /// other jobs of its group, before and after it, commit their rows.
    @Test func failingJobRollsBackAloneInItsGroup() async throws {
        try await withTemporaryDirectory { directory in
            let writer = try await openedWriter(path: directory + "/group.sqlite")
            let gate = Gate()
            let holder = Task { try await writer.run { _ in gate.wait() } }

            let jobs = (1...5).map { number in
                Task { () -> Result<Void, any Error> in
                    do {
                        try await writer.runGrouped { connection in
                            try connection.execute("INSERT INTO t (job) VALUES (?1)", [SQLiteValue(number)])
                            if number == 3 { throw StoreError.messageNotFound(3) }
                        }
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
            }
            let queued = await waitUntil { writer.queuedJobCount == jobs.count }
            gate.open()
            try await holder.value
            #expect(queued)

            var failed: [Int] = []
            for (index, job) in jobs.enumerated() {
                if case .failure(let error) = await job.value {
                    failed.append(index + 1)
                    #expect(error as? StoreError == .messageNotFound(3))
                }
            }
            #expect(failed == [3])
            let rows = try await writer.run { connection in
                try connection.statement("SELECT job FROM t ORDER BY job").rows { $0.int(0) }
            }
            #expect(rows == [1, 2, 4, 5])
            await writer.close()
        }
    }

    /// A group whose jobs all succeed commits every row, and each caller gets its own result.
    @Test func succeedingGroupCommitsEveryJob() async throws {
        try await withTemporaryDirectory { directory in
            let writer = try await openedWriter(path: directory + "/group.sqlite")
            let gate = Gate()
            let holder = Task { try await writer.run { _ in gate.wait() } }

            let jobs = (1...8).map { number in
                Task {
                    try await writer.runGrouped { connection in
                        try connection.execute("INSERT INTO t (job) VALUES (?1)", [SQLiteValue(number)])
                        return connection.lastInsertRowID
                    }
                }
            }
            let queued = await waitUntil { writer.queuedJobCount == jobs.count }
            gate.open()
            try await holder.value
            #expect(queued)

            var rowIDs: Set<Int64> = []
            for job in jobs { rowIDs.insert(try await job.value) }
            #expect(rowIDs.count == jobs.count)
            let count = try await writer.run { connection in
                try connection.statement("SELECT COUNT(*) FROM t").firstRow { $0.int(0) }
            }
            #expect(count == jobs.count)
            await writer.close()
        }
    }

    /// Opens a writer on a new file with one table `t (job INTEGER)`.
    private func openedWriter(path: String) async throws -> SQLiteWriter {
        let writer = SQLiteWriter(path: path)
        try await writer.open {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(sql: "PRAGMA journal_mode = WAL")
            try connection.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, job INTEGER NOT NULL)")
            return connection
        }
        return writer
    }

    /// Polls `condition` until it is true or 10 seconds pass, and returns whether it became true.
    /// The deadline only bounds a failing test.
    private func waitUntil(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// A one-way gate that a blocked thread waits on until a test opens it, for at most 10 seconds.
private final class Gate: @unchecked Sendable {
    // @unchecked: `condition` guards `isOpen`.
    private let condition = NSCondition()
    private var isOpen = false

    func wait() {
        condition.lock()
        let deadline = Date().addingTimeInterval(10)
        while !isOpen, condition.wait(until: deadline) {}
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
}
