/// Reading and parsing the config file.
extension LifelineConfig {
    /// Reads, parses and validates the config file at `path`.
    ///
    /// `environment` supplies `${NAME}` references (pass `ProcessInfo.processInfo.environment`
    /// in the daemon). Relative `*_file` paths start from the config file's directory. A file
    /// holding inline secrets while readable by group or others adds a warning.
    /// - Throws: `ConfigError` with every issue found; a missing file gives one issue saying
    ///   to create it from `deploy/lifeline.example.yaml`.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> LoadedConfig {
        let contents: FileContents
        switch FileContents.load(path: path, maximumSize: YAMLLoader.maximumDocumentSize) {
        case .success(let loaded):
            contents = loaded
        case .failure(.notFound):
            throw fileIssue(path, "config file not found: \(path) (create it from deploy/lifeline.example.yaml)")
        case .failure(let error):
            throw fileIssue(path, "cannot read config file \(path): \(error.reason)")
        }
        guard let text = String(validating: contents.bytes, as: UTF8.self) else {
            throw fileIssue(path, "config file \(path) is not valid UTF-8 text")
        }
        var loaded = try decodeDocument(yaml: text, fileName: path, environment: environment)
        if contents.isReadableByGroupOrOthers, !loaded.inlineSecretPaths.isEmpty {
            let mode = String(contents.permissions, radix: 8)
            let keys = loaded.inlineSecretPaths.joined(separator: ", ")
            loaded.result.warnings.insert(
                ConfigWarning(
                    file: path,
                    message: "contains inline secrets (\(keys)) and is readable by group or others (mode \(mode)); "
                        + "run chmod 600 \(path), or move them to *_file keys"
                ),
                at: 0
            )
        }
        return loaded.result
    }

    /// Parses and validates config text; `fileName` names it in issues and its directory is
    /// where relative `*_file` paths start.
    public static func parse(yaml: String, fileName: String, environment: [String: String]) throws(ConfigError)
        -> LoadedConfig
    {
        try decodeDocument(yaml: yaml, fileName: fileName, environment: environment).result
    }

    private static func decodeDocument(
        yaml: String,
        fileName: String,
        environment: [String: String]
    ) throws(ConfigError) -> (result: LoadedConfig, inlineSecretPaths: [String]) {
        let root = try YAMLLoader(fileName: fileName).load(yaml)
        let directory = fileName.contains("/") ? String(fileName[..<fileName.lastIndex(of: "/")!]) : ""
        let decoder = ConfigDecoder(
            fileName: fileName,
            environment: environment,
            baseDirectory: fileName.hasPrefix("/") && directory.isEmpty ? "/" : directory
        )
        let emptyDocument = YAMLNode(content: .mapping([]), mark: YAMLMark(line: 1, column: 1))
        let config = decode(ConfigValue(node: root ?? emptyDocument, path: "", decoder: decoder))
        guard decoder.issues.isEmpty, let config else {
            let issues = decoder.issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            throw ConfigError(
                issues: issues.isEmpty ? [fileIssue(fileName, "config could not be decoded").issues[0]] : issues
            )
        }
        return (LoadedConfig(config: config, warnings: decoder.warnings), decoder.inlineSecretPaths)
    }

    private static func fileIssue(_ path: String, _ message: String) -> ConfigError {
        ConfigError(issues: [ConfigIssue(file: path, line: 0, column: 0, path: "", message: message)])
    }
}
