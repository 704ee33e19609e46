import Foundation

/// The disk holding a chaos run's database: a small tmpfs that the test fills up and frees, so
/// that the daemon's writes fail with `ENOSPC` for a while and then succeed again.
///
/// Mounting needs root and a working `mount -t tmpfs` (as for
/// `StorageFaultTests.diskFullWhileRunning`); without them `init` throws, naming what is missing.
/// `remove()` unmounts the tmpfs and removes its directory.
final class ChaosDisk: Sendable {
    /// Why the disk could not be made.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The tmpfs size: room for a run's database and its log many times over.
    static let sizeKiB = 65_536

    let mount: TmpfsMount

    /// The mount point, where the database goes.
    var path: String { mount.path }
    private var fillerPath: String { mount.path + "/filler" }

    /// Mounts the tmpfs.
    ///
    /// - Throws: `Unavailable` when not root or when `mount -t tmpfs` fails.
    init() throws {
        guard geteuid() == 0 else {
            throw Unavailable(description: "the disk-full fault needs root to mount a tmpfs for the database; run the chaos test as root")
        }
        do {
            mount = try TmpfsMount(sizeKiB: Self.sizeKiB)
        } catch {
            throw Unavailable(description: "the disk-full fault needs a working `mount -t tmpfs`: \(error)")
        }
    }

    /// Writes zeros to a filler file until a write fails with `ENOSPC`, in 1 MiB steps and then
    /// page by page. Returns the bytes written.
    ///
    /// - Throws: `Unavailable` when the file cannot be created or a write fails otherwise.
    @discardableResult
    func fill() throws -> Int {
        let descriptor = open(fillerPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw Unavailable(description: "cannot create \(fillerPath): errno \(errno)") }
        defer { close(descriptor) }
        var chunk = 1 << 20
        let zeros = [UInt8](repeating: 0, count: chunk)
        var total = 0
        // Bounded: the tmpfs holds sizeKiB, so far fewer writes than this fill it.
        for _ in 0..<(Self.sizeKiB * 2) {
            let written = zeros.withUnsafeBytes { write(descriptor, $0.baseAddress, chunk) }
            if written > 0 {
                total += written
                continue
            }
            guard written < 0, errno == ENOSPC else {
                throw Unavailable(description: "filling \(fillerPath) failed: errno \(errno)")
            }
            if chunk <= 4096 { return total }
            chunk /= 16
        }
        throw Unavailable(description: "\(path) never filled up after \(total) bytes")
    }

    /// Deletes the filler file, which gives its space back at once.
    func free() throws {
        try FileManager.default.removeItem(atPath: fillerPath)
    }

    /// Copies every file but the filler to `directory`, for a kept run.
    func copyContents(to directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name != "filler" {
            try? FileManager.default.copyItem(atPath: path + "/" + name, toPath: directory + "/" + name)
        }
    }

    /// Unmounts the tmpfs and removes its directory.
    func remove() {
        mount.unmount()
    }
}
