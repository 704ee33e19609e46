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
}
