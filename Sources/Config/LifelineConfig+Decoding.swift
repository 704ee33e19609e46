import Diagnostics

/// Decoding the top-level mapping and the rules that span several entries.
extension LifelineConfig {
    static func decode(_ root: ConfigValue) -> LifelineConfig? {
        root.mapping { reader in
            let database = DatabaseLocation.decodeDatabase(reader)
            let logLevel = reader.optional("log_level") { value -> Logger.Level? in
                let names = Logger.Level.allCases.map(\.description)
                guard let text = value.string(expected: "one of " + names.joined(separator: ", ")) else { return nil }
                guard names.contains(text), let level = Logger.Level(name: text) else {
                    let message = "expected one of \(names.joined(separator: ", ")), got \(ConfigValue.quoted(text))"
                    return value.fail(message + Suggestion.hint(for: text, among: names))
                }
                return level
            }
            let regionForm = "a two-letter country code in capitals, such as GB"
            let defaultRegion = reader.optional("default_region") {
                $0.string(expected: regionForm, where: ValueShape.isRegionCode)
            }
            let http = reader.optional("http", HTTPSettings.decode)
            let queue = reader.optional("queue", QueueSettings.decode)
            let breaker = reader.optional("breaker", BreakerSettings.decode)
            let shared = reader.optional("shared", SharedSettings.decode)
            let admins = reader.optional("admins") { value in
                value.list { $0.string(expected: ValueShape.phoneNumberForm, where: ValueShape.isPhoneNumber) }
            }
            let alerts = reader.optional("alerts", AlertSettings.decode)
            let templates = reader.optional("templates", decodeTemplates)
            let apiTokens = reader.optional("api_tokens", decodeAPITokens)
            let providers = reader.required("providers", expected: "a list of providers in failover order") { value in
                decodeProviders(value)
            }
            let location = DatabaseLocation.decodePassword(database: database, reader)
            let node = reader.optional("node") { value in
                value.string(expected: "this box's name among the boxes sharing the database") { name in
                    name.count <= 63 && !name.contains(where: { $0.isWhitespace })
                }
            }

            let statusFile = reader.optional("status_file") { decodeStatusFile($0, database: location?.database) }

            guard let location, let providers else { return nil }
            var config = LifelineConfig(database: location.database, providers: providers)
            config.databasePassword = location.password
            config.node = node ?? config.node
            if let statusFile {
                config.statusFile = statusFile
                config.statusFileIsDefault = false
            } else if config.usesPostgreSQL {
                config.statusFile = reader.decoder.resolve(path: "lifeline-\(config.node).status.json")
            }
            config.logLevel = logLevel ?? config.logLevel
            config.defaultRegion = defaultRegion
            config.http = http
            config.queue = queue ?? config.queue
            config.breaker = breaker ?? config.breaker
            config.shared = shared ?? config.shared
            config.admins = admins ?? []
            config.alerts = alerts ?? config.alerts
            config.templates = templates ?? [:]
            config.apiTokens = apiTokens ?? []
            return config
        }
    }

    private static func decodeProviders(_ value: ConfigValue) -> [ProviderSettings]? {
        guard case .sequence(let items) = value.node.content else {
            return value.fail("expected a list of providers in failover order, got \(value.node.kindDescription)")
        }
        guard !items.isEmpty else {
            return value.fail("at least one provider is required")
        }
        var firstLines: [String: Int] = [:]
        var providers: [ProviderSettings] = []
        for (index, item) in items.enumerated() {
            let element = ConfigValue(node: item, path: "\(value.path)[\(index)]", decoder: value.decoder)
            guard let provider = ProviderSettings.decode(element) else { continue }
            if let firstLine = firstLines[provider.id] {
                let idValue =
                    element.node.mappingValue(forKey: "id").map {
                        ConfigValue(node: $0, path: "\(element.path).id", decoder: value.decoder)
                    } ?? element
                idValue.report(
                    "duplicate provider id \(ConfigValue.quoted(provider.id)) (first used at line \(firstLine)); "
                        + "give each provider its own id"
                )
                continue
            }
            firstLines[provider.id] = item.mappingValue(forKey: "id")?.mark.line ?? item.mark.line
            providers.append(provider)
        }
        return providers
    }

    private static func decodeTemplates(_ value: ConfigValue) -> [String: String]? {
        value.mapping { reader in
            var templates: [String: String] = [:]
            guard case .mapping(let entries) = value.node.content else { return nil }
            for entry in entries {
                guard let child = reader.child(entry.key) else { continue }
                guard entry.key.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                    child.report("a template name uses lower-case letters, digits and _")
                    continue
                }
                guard let text = child.string(expected: "the template text") else { continue }
                if let problem = TemplateShape.problem(in: text) {
                    child.report(problem)
                    continue
                }
                templates[entry.key] = text
            }
            return templates
        }
    }

    /// Decodes the token list and rejects repeated names and repeated values, because two
    /// tokens with one value would make the granted role depend on list order.
    private static func decodeAPITokens(_ value: ConfigValue) -> [APITokenSettings]? {
        guard case .sequence(let items) = value.node.content else {
            return value.fail("expected a list of tokens, got \(value.node.kindDescription)")
        }
        var namesSeen: Set<String> = []
        var namesByToken: [String: String] = [:]
        var tokens: [APITokenSettings] = []
        for (index, item) in items.enumerated() {
            let element = ConfigValue(node: item, path: "\(value.path)[\(index)]", decoder: value.decoder)
            guard let token = APITokenSettings.decode(element) else { continue }
            if !namesSeen.insert(token.name).inserted {
                let nameValue = item.mappingValue(forKey: "name").map {
                    ConfigValue(node: $0, path: "\(element.path).name", decoder: value.decoder)
                }
                let message = "duplicate token name \(ConfigValue.quoted(token.name)); give each token its own name"
                (nameValue ?? element).report(message)
                continue
            }
            if let other = namesByToken[token.token.revealed] {
                element.report(
                    "this token has the same value as token \(ConfigValue.quoted(other)); give each its own token"
                )
                continue
            }
            namesByToken[token.token.revealed] = token.name
            tokens.append(token)
        }
        return tokens
    }
}

extension YAMLNode {
    /// Returns the value under `key` when this node is a mapping.
    func mappingValue(forKey key: String) -> YAMLNode? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }
}

/// Checks `{placeholder}` syntax in template text.
enum TemplateShape {
    /// Describes the first problem, or returns `nil` when every brace pair contains a placeholder name.
    static func problem(in text: String) -> String? {
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{" else {
                return "unmatched } in template; placeholders are written {name}"
            }
            let afterOpen = rest[rest.index(after: open)...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                return "unmatched { in template; placeholders are written {name}"
            }
            let name = afterOpen[..<close]
            let isName =
                !name.isEmpty && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            guard isName else {
                return
                    "invalid placeholder {\(name)} in template; use lower-case letters, digits and _ between the braces"
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return nil
    }
}
