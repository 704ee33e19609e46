/// Reading `status_file`, where the daemon publishes its status for `lifeline status`.
extension LifelineConfig {
    static let statusFileForm = "the path of a file the service may write, such as /var/lib/lifeline/status.json"

    /// Reads `status_file` as a file path, relative to the config file's directory, that is
    /// neither a directory nor the SQLite database itself.
    static func decodeStatusFile(_ value: ConfigValue, database: String?) -> String? {
        guard let text = value.string(expected: statusFileForm) else { return nil }
        guard !text.hasSuffix("/") else {
            return value.fail(
                "expected \(statusFileForm), got the directory \(ConfigValue.quoted(text)); add a file name such as status.json")
        }
        let path = value.decoder.resolve(path: text)
        if let database, !DatabaseLocation.isPostgres(database), path == database || text == database {
            return value.fail(
                "expected a file of its own, got the database file \(ConfigValue.quoted(text)), which the status "
                    + "would overwrite; give a path such as \(database).status.json")
        }
        return path
    }
}
