/// The state of one decoding pass: issues and warnings found so far, the environment for
/// `${NAME}` expansion, and the directory that relative secret file paths start from.
///
/// Owned by the thread running `LifelineConfig.parse`; never shared.
final class ConfigDecoder {
    let fileName: String
    let environment: [String: String]
    let baseDirectory: String
    private(set) var issues: [ConfigIssue] = []
    private(set) var warnings: [ConfigWarning] = []
    /// Key paths of secrets written in the file itself, for the file permission warning.
    private(set) var inlineSecretPaths: [String] = []

    init(fileName: String, environment: [String: String], baseDirectory: String) {
        self.fileName = fileName
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    func report(_ mark: YAMLMark, path: String, _ message: String) {
        issues.append(ConfigIssue(file: fileName, line: mark.line, column: mark.column, path: path, message: message))
    }

    func warn(file: String, _ message: String) {
        warnings.append(ConfigWarning(file: file, message: message))
    }

    func noteInlineSecret(path: String) {
        inlineSecretPaths.append(path)
    }

    /// Replaces each `${NAME}` in `text` with the variable's value; `$${` is a literal `${`.
    ///
    /// Returns the expanded text and the names used, or `nil` after reporting an unset variable
    /// or a malformed reference. The issue names the variable, never its value.
    func expand(_ text: String, mark: YAMLMark, path: String) -> (text: String, names: [String])? {
        guard text.contains("${") else { return (text, []) }
        var output = ""
        var names: [String] = []
        var rest = Substring(text)
        var failed = false
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let afterDollar = rest[dollar...].dropFirst()
            if afterDollar.hasPrefix("${") {
                output += "${"
                rest = afterDollar.dropFirst(2)
                continue
            }
            guard afterDollar.hasPrefix("{") else {
                output += "$"
                rest = afterDollar
                continue
            }
            guard let close = afterDollar.firstIndex(of: "}") else {
                report(mark, path: path, "unterminated ${ in value; write ${NAME}, or $${ for a literal ${")
                return nil
            }
            let name = String(afterDollar[afterDollar.index(after: afterDollar.startIndex)..<close])
            rest = afterDollar[afterDollar.index(after: close)...]
            guard Self.isVariableName(name) else {
                report(
                    mark,
                    path: path,
                    "invalid environment variable name \"\(name)\" in ${…}; use letters, digits and _"
                )
                failed = true
                continue
            }
            guard let value = environment[name] else {
                report(mark, path: path, Self.unsetVariableMessage(name))
                failed = true
                continue
            }
            output += value
            names.append(name)
        }
        output += rest
        return failed ? nil : (output, names)
    }

    /// Makes a relative path absolute against the config file's directory.
    func resolve(path: String) -> String {
        if path.hasPrefix("/") || baseDirectory.isEmpty {
            return path
        }
        return baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
    }

    private static func unsetVariableMessage(_ name: String) -> String {
        if name == "CREDENTIALS_DIRECTORY" {
            return "environment variable CREDENTIALS_DIRECTORY is not set; systemd sets it only for a service "
                + "with LoadCredential= or SetCredential= lines, so add them to the unit"
        }
        return "environment variable \(name) is not set; set it in the service's environment or write the value"
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}
