import Foundation
import SMPP

/// Octets from hex digits; spaces are ignored.
func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Uppercase hex of `bytes`.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02X", $0) }.joined()
}

/// Returns the package root, found from this file's path.
func packageRoot(file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// One case from Tests/Fixtures/field-cases.json, as loosely typed JSON.
struct FieldCase {
    let input: [String: Any]
    let expected: [String: Any]

    static func load(_ id: String) throws -> FieldCase {
        let url = packageRoot().appendingPathComponent("Tests/Fixtures/field-cases.json")
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        let found = cases.first { $0["id"] as? String == id }!
        return FieldCase(input: found["input"] as! [String: Any], expected: found["expected"] as! [String: Any])
    }
}

/// Collects a client's events in the background so a test can wait for one with a deadline.
actor EventLog {
    private var events: [SMPPLinkEvent] = []
    private var cursor = 0
    private var waiter:
        (predicate: @Sendable (SMPPLinkEvent) -> Bool, continuation: CheckedContinuation<SMPPLinkEvent?, Never>)?
    private var finished = false

    init(_ stream: AsyncStream<SMPPLinkEvent>) {
        Task { [weak self] in
            for await event in stream {
                await self?.append(event)
            }
            await self?.finish()
        }
    }

    /// Every event seen so far.
    var all: [SMPPLinkEvent] { events }

    /// Returns the first event after the previous match that satisfies `predicate`, or `nil` after `timeout`.
    func next(
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (SMPPLinkEvent) -> Bool
    ) async -> SMPPLinkEvent? {
        if let found = scan(predicate) { return found }
        guard !finished else { return nil }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.expire()
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            waiter = (predicate, continuation)
        }
    }

    private func scan(_ predicate: (SMPPLinkEvent) -> Bool) -> SMPPLinkEvent? {
        while cursor < events.count {
            let event = events[cursor]
            cursor += 1
            if predicate(event) { return event }
        }
        return nil
    }

    private func append(_ event: SMPPLinkEvent) {
        events.append(event)
        guard let current = waiter, let found = scan(current.predicate) else { return }
        waiter = nil
        current.continuation.resume(returning: found)
    }

    private func expire() {
        waiter?.continuation.resume(returning: nil)
        waiter = nil
    }

    private func finish() {
        finished = true
        expire()
    }
}
