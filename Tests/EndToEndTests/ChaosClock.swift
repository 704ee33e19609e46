import Foundation

/// The daemon's wall clock, stepped through libfaketime (Debian package `faketime`): the daemon
/// runs with `LD_PRELOAD` of the library and reads its offset from a file that `step(by:)`
/// rewrites. The library re-reads the file at most once a second, and the monotonic clocks stay
/// real, as after an NTP step.
///
/// The test's own clock is not stepped, so `Step.realTime(_:)` maps the daemon's timestamps in the
/// store back to the test's clock for the audit.
///
/// `usability()` checks first that the library is installed and that `lifeline` still reads its
/// command line with the library preloaded.
///
/// NOTE: while `usability()` reports a problem, the test never calls `step(by:)` or
/// `waitForDaemon`, so that part has not run in the test suite.
final class ChaosClock: Sendable {
    /// The library is not installed.
    struct LibraryMissing: Error, CustomStringConvertible {
        var searched: [String]

        var description: String {
            "libfaketime.so.1 not found (searched \(searched.joined(separator: ", "))): install the Debian package "
                + "faketime (apt-get install faketime, or bash deploy/bootstrap.sh)"
        }
    }

    /// The daemon's clock did not move after a step.
    struct NotStepped: Error, CustomStringConvertible {
        var seconds: Int
        var snapshot: String

        var description: String {
            "libfaketime did not step the wall clock of lifeline serve by \(seconds) s: its status snapshot "
                + "still reads \(snapshot) 15 s after the step"
        }
    }

    /// One step of the daemon's clock, for mapping its timestamps to the test's clock.
    struct Step: Sendable {
        /// The test's time when the step was made.
        var at: Date
        var seconds: Int

        /// Returns the test's time for a timestamp the daemon wrote. A run lasts far less than half
        /// an hour, so a timestamp more than half the step away from `at`, on the step's side, was
        /// written after the step.
        func realTime(_ daemonTime: Date) -> Date {
            let offset = daemonTime.timeIntervalSince(at)
            let afterStep = seconds > 0 ? offset >= Double(seconds) / 2 : offset <= Double(seconds) / 2
            return afterStep ? daemonTime.addingTimeInterval(-Double(seconds)) : daemonTime
        }
    }

    /// Where Debian and a local build install the library.
    static let candidates = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ]

    let library: String
    /// The file holding the offset, such as `+0` or `-3600`.
    let offsetFile: String

    /// Returns the installed library's path.
    ///
    /// - Throws: `LibraryMissing` naming the package to install.
    static func findLibrary() throws -> String {
        guard let library = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw LibraryMissing(searched: candidates)
        }
        return library
    }

    /// Runs `lifeline sms inspect` with the library preloaded and returns `nil` when it works, or
    /// why the daemon cannot run under the library.
    ///
    /// libfaketime 0.9.10, preloaded without its `faketime` wrapper, creates its shared memory in
    /// a constructor and adds `FAKETIME_SHARED` to the environment. That moves `environ` off the
    /// initial stack before the Swift runtime looks for `argv` from it, so `CommandLine.arguments`
    /// is empty and `lifeline` prints its usage. `sharedMemoryNames` avoids this.
    ///
    /// - Throws: `LibraryMissing` naming the package to install.
    static func usability() async throws -> String? {
        let library = try findLibrary()
        let process = Process()
        process.executableURL = LifelineBinary.url
        process.arguments = ["sms", "inspect", "--text", "clock check", "--json"]
        let preload = ["LD_PRELOAD": library, "FAKETIME_SHARED": sharedMemoryNames]
        process.environment = ProcessInfo.processInfo.environment.merging(preload) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        await waitForExit(process)
        guard process.terminationStatus != 0 else { return nil }
        return "with \(library) preloaded, `lifeline sms inspect` exits \(process.terminationStatus) "
            + "(64 is the usage error of an empty command line): libfaketime adds FAKETIME_SHARED to the "
            + "environment in its constructor, and the Swift runtime, which finds argv through environ, "
            + "then sees no arguments. The daemon cannot be started under the library, so clock-jump does not run."
    }

    /// Finds the library and writes a zero offset to `directory/faketime.offset`.
    ///
    /// - Throws: `LibraryMissing` naming the package to install.
    init(directory: String) throws {
        library = try Self.findLibrary()
        offsetFile = directory + "/faketime.offset"
        try write(offset: "+0")
    }

    /// A `FAKETIME_SHARED` value naming a semaphore and shared memory that do not exist. With the
    /// variable already set, the library finds no shared memory to join and overwrites the
    /// variable in place instead of adding it, so `environ` stays where the Swift runtime reads
    /// `argv` from, and it creates nothing in /dev/shm.
    static let sharedMemoryNames = "/lifeline_chaos_no_sem /lifeline_chaos_no_shm"

    /// The variables that put the daemon on this clock.
    var environment: [String: String] {
        [
            "LD_PRELOAD": library,
            "FAKETIME_SHARED": Self.sharedMemoryNames,
            "FAKETIME_TIMESTAMP_FILE": offsetFile,
            "FAKETIME_CACHE_DURATION": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        ]
    }

    /// Steps the daemon's wall clock by `seconds` from real time; it moves within about a second.
    func step(by seconds: Int) throws -> Step {
        let step = Step(at: Date(), seconds: seconds)
        try write(offset: seconds < 0 ? "\(seconds)" : "+\(seconds)")
        return step
    }

    /// Re-reads the daemon's status snapshot (`<database>.status.json`) every 200 ms until the
    /// time it was written is past half of `step`, for at most 15 s.
    ///
    /// - Throws: `NotStepped` with the last time read when the daemon's clock did not move.
    func waitForDaemon(databasePath: String, step: Step) async throws {
        struct Snapshot: Decodable { var updatedAt: Date }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let deadline = ContinuousClock.now + .seconds(15)
        var last = "nothing"
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: databasePath + ".status.json"),
                let snapshot = try? decoder.decode(Snapshot.self, from: data)
            {
                last = snapshot.updatedAt.formatted(.iso8601)
                if step.realTime(snapshot.updatedAt) != snapshot.updatedAt { return }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw NotStepped(seconds: step.seconds, snapshot: last)
    }

    /// Replaces the offset file in one rename, so the library never reads half a line.
    private func write(offset: String) throws {
        let staging = offsetFile + ".new"
        try (offset + "\n").write(toFile: staging, atomically: false, encoding: .utf8)
        guard rename(staging, offsetFile) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: offsetFile])
        }
    }
}
