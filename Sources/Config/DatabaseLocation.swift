import Foundation

/// Reading the `database` value: the path of an SQLite file, or a `postgresql://` URL of a
/// database that several boxes share.
///
/// A password written in the URL is taken out of it: the config keeps the URL without it (safe to
/// log and to print) and the password as a `Secret`, like one from `database_password` or
/// `database_password_file`.
enum DatabaseLocation {
    /// The URL schemes libpq accepts.
    static let postgresSchemes = ["postgresql://", "postgres://"]

    /// Whether `database` names a PostgreSQL database rather than an SQLite file.
    static func isPostgres(_ database: String) -> Bool {
        postgresSchemes.contains { database.lowercased().hasPrefix($0) }
    }

    /// Splits a PostgreSQL URL into the URL without its password and the password, if any.
    /// Returns `nil` when the text is not a URL, and the caller reports that without the value.
    static func splitPassword(_ url: String) -> (url: String, password: String?)? {
        guard var components = URLComponents(string: url) else { return nil }
        guard let password = components.password, !password.isEmpty else {
            return (url, nil)
        }
        components.password = nil
        guard let stripped = components.string else { return nil }
        return (stripped, password)
    }

    /// The expected form of `database`, for issues.
    static let form = "the path of the SQLite database file, or a postgresql:// URL"

    /// Reads `database`. Call it first, so the key leads the list of valid keys in issues.
    static func decodeDatabase(_ reader: MappingReader) -> String? {
        reader.required("database", expected: form) { $0.string(expected: form) }
    }

    /// Reads the password keys beside `database` and splits a password out of a URL.
    /// - Returns: the path or the URL without a password, and the password.
    static func decodePassword(database: String?, _ reader: MappingReader) -> (database: String, password: Secret?)? {
        let passwordKey = reader.secret("database_password", required: false)
        guard let database else { return nil }
        guard isPostgres(database) else {
            if passwordKey != nil, let origin = reader.secretOrigin("database_password") {
                return origin.fail("a password is only used with a postgresql:// database URL")
            }
            return (database, nil)
        }
        guard let (url, urlPassword) = splitPassword(database) else {
            // The value may contain a password, so the issue does not quote it.
            return reader.child("database")?.fail(
                "expected a URL such as postgresql://lifeline@db.example.org:5432/lifeline, "
                    + "got text that is not a URL")
        }
        if let urlPassword {
            if passwordKey != nil, let origin = reader.secretOrigin("database_password") {
                return origin.fail("the database URL already contains a password; give it in one place only")
            }
            reader.decoder.noteInlineSecret(path: reader.path(of: "database"))
            return (url, Secret(urlPassword, source: .inline))
        }
        return (url, passwordKey)
    }
}
