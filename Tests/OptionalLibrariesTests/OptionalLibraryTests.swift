import CCurl
import Glibc
import Testing

@testable import OptionalLibraries

@Suite struct OptionalLibraryTests {
    /// A library file that does not exist fails with the typed error naming the file, the
    /// feature and the Debian package. (A check, not a load: other tests load the real files.)
    @Test func missingFileNamesLibraryFeatureAndPackage() {
        let missing = OptionalLibrary.postgresql.opening(["liblifeline-absent.so.9"])
        let error = #expect(throws: OptionalLibraryError.self) {
            try missing.check(for: "store: postgresql")
        }
        #expect(error?.library == "liblifeline-absent.so.9")
        #expect(error?.feature == "store: postgresql")
        #expect(error?.debianPackage == "libpq5")
        #expect(error?.reason.contains("liblifeline-absent.so.9") == true)
        #expect(error?.description.contains("apt-get install libpq5") == true)
    }

    /// A file that loads but lacks the functions fails with the first missing function's name.
    @Test func fileWithoutTheFunctionsNamesTheFirstMissing() {
        let wrong = OptionalLibrary.curl.opening(["libz.so.1"])
        let error = #expect(throws: OptionalLibraryError.self) {
            try wrong.check(for: "provider twilio-main")
        }
        #expect(error?.reason.contains("curl_easy_cleanup") == true)
        #expect(error?.feature == "provider twilio-main")
        #expect(error?.debianPackage == "libcurl4")
    }

    /// Each real library passes the check, loads, reports itself loaded, and loads again at once.
    @Test(arguments: [OptionalLibrary.curl, .postgresql, .openssl])
    func realLibraryLoads(library: OptionalLibrary) throws {
        try library.check(for: "test")
        try library.load(for: "test")
        #expect(library.isLoaded)
        try library.load(for: "test")
    }

    /// A trampoline called before its library was loaded stops the process with SIGABRT and a
    /// message naming the function, the file and the package, instead of jumping to address 0.
    /// (An exit test: the call runs in a fresh child process, where nothing loaded libcurl.)
    @Test func trampolineBeforeLoadStopsWithMessage() async throws {
        let result = try await #require(
            processExitsWith: .signal(SIGABRT),
            observing: [\.standardErrorContent]
        ) {
            _ = curl_easy_init()
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("curl_easy_init was called before libcurl.so.4 was loaded"))
        #expect(message.contains("libcurl4"))
    }
}
