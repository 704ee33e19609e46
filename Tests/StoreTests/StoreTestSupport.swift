import Foundation
import Testing

@testable import Store

/// A fresh directory under the system temporary directory, removed after `body`.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("lifeline-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Opens a store on `queue.sqlite` in a fresh temporary directory and closes it after `body`.
func withStore<Result>(_ body: (SQLiteStore, String) async throws -> Result) async throws -> Result {
    try await withTemporaryDirectory { directory in
        let path = directory + "/queue.sqlite"
        let store = try await SQLiteStore(path: path, notifiesWakeListener: false)
        do {
            let result = try await body(store, path)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

/// A fixed start time, so tests never depend on the clock.
let epoch = Date(timeIntervalSince1970: 1_780_000_000)

/// `epoch` plus `seconds`.
func at(_ seconds: TimeInterval) -> Date {
    epoch.addingTimeInterval(seconds)
}

func submission(_ number: Int, _ priority: Priority = .normal, key: String? = nil) -> Submission {
    Submission(
        recipient: "+4477009\(String(format: "%05d", number))",
        text: "message \(number)",
        priority: priority,
        idempotencyKey: key
    )
}

/// Waits for the next element of `stream`, or returns `false` when `seconds` pass first. The
/// deadline only bounds a failing test; it is never what the test measures.
func nextElement(of stream: AsyncStream<Void>, within seconds: Double) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next() != nil
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}

/// SplitMix64: a small seeded generator, so a failing random case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Runs `/usr/bin/chattr` with `arguments`, for making a file immutable when tests run as root,
/// who ignores permission bits.
@discardableResult
func chattr(_ arguments: String...) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
