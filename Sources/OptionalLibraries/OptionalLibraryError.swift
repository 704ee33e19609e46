/// A library that a configured feature needs could not be loaded: the file is not installed, or
/// it is too old to have a function Lifeline calls.
public struct OptionalLibraryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file that failed to load, such as `libcurl.so.4`.
    public let library: String

    /// The feature that needs it, as the configuration names it, such as `provider twilio-main`.
    public let feature: String

    /// The Debian package that installs the file, such as `libcurl4`.
    public let debianPackage: String

    /// The loader's reason: dlerror's text, or the function the file lacks.
    public let reason: String

    /// Builds the error for `feature`, which needs `library` from `debianPackage`.
    public init(library: String, feature: String, debianPackage: String, reason: String) {
        self.library = library
        self.feature = feature
        self.debianPackage = debianPackage
        self.reason = reason
    }

    /// One line naming the file, the feature and the fix.
    public var description: String {
        "\(feature) needs \(library), which could not be loaded (\(reason)); install it with: apt-get install \(debianPackage)"
    }
}
