#if canImport(Glibc)
import Glibc
#endif

import COptionalLibraries

/// A C library Lifeline opens at run time, only when the configuration uses a feature that needs
/// it: libcurl for the cloud providers, libpq for the PostgreSQL store, OpenSSL for SMPP over TLS
/// and for signatures. A box that uses none of those features never maps them.
///
/// The C calls in CloudSMS, Store and SMPP go through trampolines of the same names, which
/// `load(for:)` points at the library's functions. Call `load(for:)` where the feature starts;
/// a trampoline called before that stops the process with a message naming the function.
/// Once loaded, a library stays mapped until the process exits.
public struct OptionalLibrary: Sendable, Hashable, CustomStringConvertible {
    /// libcurl (`libcurl.so.4`), the HTTP client of the cloud providers.
    public static let curl = OptionalLibrary(
        library: lifeline_library_curl, files: ["libcurl.so.4"], debianPackage: "libcurl4"
    )

    /// libpq (`libpq.so.5`), the client of the PostgreSQL store.
    public static let postgresql = OptionalLibrary(
        library: lifeline_library_pq, files: ["libpq.so.5"], debianPackage: "libpq5"
    )

    /// OpenSSL (`libssl.so.3` and `libcrypto.so.3`): SMPP over TLS, AWS request signatures,
    /// Twilio and Vonage webhook signatures.
    public static let openssl = OptionalLibrary(
        library: lifeline_library_openssl, files: ["libssl.so.3", "libcrypto.so.3"], debianPackage: "libssl3"
    )

    /// The trampoline table the library fills (the C `lifeline_library` value).
    let tableNumber: UInt32

    /// The files opened with dlopen, in order; the first names the library in messages.
    public let files: [String]

    /// The Debian package that installs the files.
    public let debianPackage: String

    /// Creates a library that fills the trampolines of `library` from `files`.
    private init(library: lifeline_library, files: [String], debianPackage: String) {
        self.tableNumber = library.rawValue
        self.files = files
        self.debianPackage = debianPackage
    }

    /// Returns the same library opened from other files, so tests can name a file that does not exist.
    func opening(_ files: [String]) -> OptionalLibrary {
        OptionalLibrary(library: lifeline_library(rawValue: tableNumber), files: files, debianPackage: debianPackage)
    }

    /// The first file, such as `libcurl.so.4`.
    public var description: String { files[0] }

    /// Whether an earlier `load(for:)` succeeded.
    public var isLoaded: Bool {
        lifeline_library_is_loaded(lifeline_library(rawValue: tableNumber))
    }

    /// Opens the library and resolves every function Lifeline calls in it, unless an earlier
    /// call did. Thread-safe; cheap once loaded.
    ///
    /// - Parameter feature: what needs the library, as the configuration names it, such as
    ///   `provider twilio-main` or `store: postgresql`; it goes into the error.
    /// - Throws: `OptionalLibraryError` when a file is missing or lacks a function, naming the
    ///   file, the feature and the Debian package to install.
    public func load(for feature: String) throws(OptionalLibraryError) {
        if isLoaded { return }
        try open(for: feature, install: true)
    }

    /// Opens the files and resolves every function, then closes them again, leaving the
    /// trampolines as they are: whether `load(for:)` would succeed with these files.
    /// - Throws: `OptionalLibraryError` as `load(for:)` does.
    func check(for feature: String) throws(OptionalLibraryError) {
        try open(for: feature, install: false)
    }

    private func open(for feature: String, install: Bool) throws(OptionalLibraryError) {
        var reason = [CChar](repeating: 0, count: 512)
        let opened = withCStrings(files) { pointers in
            reason.withUnsafeMutableBufferPointer { buffer in
                lifeline_library_load(
                    lifeline_library(rawValue: tableNumber), pointers, pointers.count, install,
                    buffer.baseAddress, buffer.count
                )
            }
        }
        guard opened else {
            throw OptionalLibraryError(
                library: files[0],
                feature: feature,
                debianPackage: debianPackage,
                reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            )
        }
    }

    /// Loads the library, or stops the process with the load error. For code that runs only
    /// after its feature's start loaded the library (the daemon loads every library the
    /// configuration needs before it starts), where a failure here is a programmer error.
    public func loadOrStop(for feature: String) {
        do {
            try load(for: feature)
        } catch {
            fatalError("\(error)")
        }
    }

    /// Calls `body` with C strings for `strings`, valid only during the call.
    private func withCStrings<Result>(
        _ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> Result
    ) -> Result {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}
