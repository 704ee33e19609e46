/// Secret fields: `x: value` (with `${NAME}` expansion) or `x_file: /path`.
extension MappingReader {
    /// Largest secret file accepted, far above the size of any password, token or API key.
    static let maximumSecretFileSize = 65_536

    /// Reads the secret `key` from `key` or `key_file`. Issues name the key and file path, never the value.
    ///
    /// A file's trailing newlines are trimmed. A relative path starts from the config file's
    /// directory, and `${CREDENTIALS_DIRECTORY}/name` reads a systemd credential.
    func secret(_ key: String, required: Bool) -> Secret? {
        let fileKey = key + "_file"
        let inline = child(key).flatMap { $0.node.isNull ? nil : $0 }
        let file = child(fileKey).flatMap { $0.node.isNull ? nil : $0 }
        switch (inline, file) {
        case (.some, .some(let file)):
            return file.fail("give either \(key) or \(fileKey), not both")
        case (.some(let inline), nil):
            return inlineSecret(inline)
        case (nil, .some(let file)):
            return fileSecret(file)
        case (nil, nil):
            if required {
                let message = "missing required secret; give \(fileKey): /path/to/file, or \(key): ${ENV_NAME}"
                decoder.report(value.mark, path: path(of: key), message)
            }
            return nil
        }
    }

    /// Returns the value that supplied secret `key` (`key` or `key_file`), for issues about its content.
    func secretOrigin(_ key: String) -> ConfigValue? {
        for candidate in [key, key + "_file"] {
            if let value = child(candidate), !value.node.isNull {
                return value
            }
        }
        return nil
    }

    private func inlineSecret(_ value: ConfigValue) -> Secret? {
        guard case .scalar(let raw, _) = value.node.content else {
            return value.fail("expected a string, got \(value.node.kindDescription)")
        }
        guard let expanded = decoder.expand(raw, mark: value.mark, path: value.path) else { return nil }
        guard !expanded.text.isEmpty else {
            return value.fail("the secret is empty")
        }
        if expanded.names.isEmpty {
            decoder.noteInlineSecret(path: value.path)
            return Secret(expanded.text, source: .inline)
        }
        return Secret(expanded.text, source: .environment(names: expanded.names))
    }

    private func fileSecret(_ value: ConfigValue) -> Secret? {
        guard let written = value.string(expected: "the path of a file holding the secret") else { return nil }
        let path = decoder.resolve(path: written)
        switch FileContents.load(path: path, maximumSize: Self.maximumSecretFileSize) {
        case .failure(.notFound):
            return value.fail("secret file not found: \(path)")
        case .failure(let error):
            return value.fail("cannot read secret file \(path): \(error.reason)")
        case .success(let contents):
            var text = String(decoding: contents.bytes, as: UTF8.self)
            while let last = text.last, last == "\n" || last == "\r\n" || last == "\r" {
                text.removeLast()
            }
            guard !text.isEmpty else {
                return value.fail("secret file \(path) is empty")
            }
            if contents.permissions & 0o004 != 0 {
                let mode = String(contents.permissions, radix: 8)
                decoder.warn(
                    file: path,
                    "secret file for \(value.path) is readable by all users (mode \(mode)); run chmod o-r \(path)"
                )
            }
            return Secret(text, source: .file(path: path))
        }
    }
}
