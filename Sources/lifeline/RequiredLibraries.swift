import Config
import OptionalLibraries

/// The run-time libraries a configuration needs, each with the feature that needs it: libcurl
/// and OpenSSL for every cloud provider (HTTP, request and webhook signatures), OpenSSL for an
/// SMPP link with `tls: true`, libpq for a `postgresql://` database. Modems and plain SMPP
/// links need none of them, so a box with only those never maps them.
struct RequiredLibraries {
    /// One library and what needs it, in config order; a library may appear more than once.
    let needs: [(library: OptionalLibrary, feature: String)]

    init(config: LifelineConfig) {
        var needs: [(library: OptionalLibrary, feature: String)] = []
        if config.usesPostgreSQL {
            needs.append((.postgresql, "store: postgresql"))
        }
        for provider in config.providers {
            let feature = "provider \(provider.id)"
            switch provider.kind {
            case .twilio, .vonage, .sns:
                needs.append((.curl, feature))
                needs.append((.openssl, feature))
            case .smpp(let settings) where settings.tls:
                needs.append((.openssl, feature + " (tls: true)"))
            case .smpp, .modem:
                break
            }
        }
        self.needs = needs
    }

    /// Loads each library not loaded yet.
    /// - Throws: `OptionalLibraryError` for the first one that fails, naming the file, the
    ///   provider or store that needs it, and the Debian package to install.
    func load() throws(OptionalLibraryError) {
        for need in needs {
            try need.library.load(for: need.feature)
        }
    }
}
