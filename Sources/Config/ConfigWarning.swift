/// A problem that does not stop the config from loading, returned for the caller to log.
///
/// Warnings carry no secret values, only paths and key names.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file the warning is about: the config file or a secret file it names.
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
