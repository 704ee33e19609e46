import Foundation

/// Reads a whole file on a thread of its own, so the blocking reads stay off Swift's
/// cooperative pool.
enum ContactFile {
    /// Returns the file's bytes.
    /// - Throws: `ContactImportError.cannotReadFile` with the path and the system's reason.
    static func read(path: String) async throws(ContactImportError) -> [UInt8] {
        let result: Result<[UInt8], ContactImportError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do {
                    let data = try Data(contentsOf: URL(fileURLWithPath: path))
                    continuation.resume(returning: .success([UInt8](data)))
                } catch {
                    let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
                    continuation.resume(returning: .failure(.cannotReadFile(path: path, reason: reason)))
                }
            }
            thread.name = "lifeline.contact-file"
            thread.start()
        }
        return try result.get()
    }
}
