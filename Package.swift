// swift-tools-version:6.0
import PackageDescription

/// Lifeline: an on-site SMS gateway. Each C library enters through one system-library target
/// and is imported by the one Swift target that owns it. libcurl, libpq and OpenSSL are not
/// linked: their targets give the headers only, and COptionalLibraries opens them at run time
/// for the features that need them.
let package = Package(
    name: "Lifeline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lifeline", targets: ["lifeline"])
    ],
    targets: [
        // C libraries from Debian's -dev packages.
        .systemLibrary(name: "CSQLite3", path: "Sources/CSQLite3", pkgConfig: "sqlite3"),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1"),
        .systemLibrary(name: "CSerialPort", path: "Sources/CSerialPort", pkgConfig: "libserialport"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd"),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd"),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        // Trampolines with the names of the libcurl, libpq and OpenSSL functions Lifeline calls,
        // resolved with dlopen and dlsym when OptionalLibraries loads a library.
        .target(name: "COptionalLibraries", dependencies: ["CCurl", "CLibPQ", "COpenSSL"]),
        // Typed, non-variadic wrappers for the variadic C calls Swift cannot import.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(name: "CMicroHTTPDShim", dependencies: ["CMicroHTTPD"]),

        // Pure code: no I/O.
        .target(name: "SMSCodec"),
        .target(name: "Diagnostics"),
        .target(name: "OptionalLibraries", dependencies: ["COptionalLibraries"]),

        // Protocol stacks and adapters at the edges.
        .target(name: "SMPP", dependencies: ["SMSCodec", "Diagnostics", "COpenSSL", "OptionalLibraries"]),
        .target(name: "ATModem", dependencies: ["SMSCodec", "Diagnostics", "CSerialPort"]),
        .target(name: "CloudSMS", dependencies: ["CCurlShim", "COpenSSL", "OptionalLibraries", "SMSCodec", "Diagnostics"]),
        .target(name: "Store", dependencies: ["CSQLite3", "CLibPQ", "OptionalLibraries", "Diagnostics"]),
        .target(name: "Config", dependencies: ["CYAML", "SMSCodec", "Diagnostics"]),
        .target(
            name: "Gateway",
            dependencies: ["Store", "Config", "SMPP", "ATModem", "CloudSMS", "SMSCodec", "Diagnostics"]
        ),
        .target(
            name: "HTTPAPI",
            dependencies: ["CMicroHTTPDShim", "Gateway", "Store", "Config", "CloudSMS", "SMSCodec", "Diagnostics"]
        ),
        .target(name: "Simulators", dependencies: ["SMPP", "SMSCodec", "Diagnostics"]),
        .executableTarget(
            name: "lifeline",
            dependencies: ["Gateway", "HTTPAPI", "Simulators", "Config", "Store", "SMSCodec", "Diagnostics", "OptionalLibraries", "CSystemd"],
            linkerSettings: [
                // Release builds link with lld and pack the relative relocations as RELR (DT_RELR,
                // glibc 2.36 or later, as in Debian 12): 15.8 KB of relocations instead of 1.96 MB
                // that the loader reads at every start. SwiftPM already passes --gc-sections here.
                // The functions the daemon runs are laid out together, in the order of
                // deploy/symbol-order/lifeline.order, so they fill fewer pages of memory. The
                // executable exports no symbols: the static Swift runtime's link arguments ask for
                // --export-dynamic, which only made the loader's symbol tables larger. libstdc++
                // (used by the Swift runtime and ICU only) is linked statically: the runtime's
                // `-lstdc++` finds the linker script in deploy/static-libstdcxx first, which names
                // libstdc++.a, so only the parts in use are loaded.
                .unsafeFlags(
                    [
                        "-L", "\(Context.packageDirectory)/deploy/static-libstdcxx",
                        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/deploy/symbol-order/lifeline.order",
                        "-Xlinker", "--no-warn-symbol-ordering", "-Xlinker", "--no-export-dynamic",
                    ],
                    .when(platforms: [.linux], configuration: .release)
                )
            ]
        ),

        .testTarget(name: "SMSCodecTests", dependencies: ["SMSCodec"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "OptionalLibrariesTests", dependencies: ["OptionalLibraries", "CCurl"]),
        .testTarget(name: "SMPPTests", dependencies: ["SMPP", "Simulators", "Diagnostics"]),
        .testTarget(name: "ATModemTests", dependencies: ["ATModem", "Simulators", "SMSCodec", "Diagnostics"]),
        .testTarget(name: "CloudSMSTests", dependencies: ["CloudSMS", "Diagnostics"]),
        // Starts a throwaway PostgreSQL server for the store and end-to-end tests.
        .target(name: "PostgresTestSupport", dependencies: ["Store"], path: "Tests/PostgresTestSupport"),
        .testTarget(name: "StoreTests", dependencies: ["Store", "PostgresTestSupport"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Simulators", "Store", "Diagnostics"]),
        .testTarget(name: "HTTPAPITests", dependencies: ["HTTPAPI", "Gateway", "Store", "Config", "Diagnostics"]),
        .testTarget(name: "EndToEndTests", dependencies: ["lifeline", "Simulators", "Store", "PostgresTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds on Linux put each Swift function in a section of its own, so that the symbol
// ordering file can move single functions, not whole source files.
let functionSections = SwiftSetting.unsafeFlags(
    ["-Xfrontend", "-function-sections"],
    .when(platforms: [.linux], configuration: .release)
)
for target in package.targets where [.regular, .executable].contains(target.type) && !target.name.hasPrefix("C") {
    target.swiftSettings = (target.swiftSettings ?? []) + [functionSections]
}
