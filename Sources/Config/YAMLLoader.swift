import CYAML

/// Builds a `YAMLNode` tree from libyaml's parser events.
///
/// Limits: documents over `maximumDocumentSize` bytes and nesting deeper than `maximumDepth`
/// are rejected. Anchors and aliases are rejected, because an alias expands to a copy of its
/// anchor and a small file could expand into a huge tree. Tags other than `!!str` are rejected.
/// Only one document per file is accepted. A YAML syntax error ends the load with that single
/// issue; duplicate keys are collected and reported together.
struct YAMLLoader {
    /// 1 MiB, about a hundred times the size of the commented example config.
    static let maximumDocumentSize = 1 << 20
    /// Mappings and lists nested deeper than this are rejected.
    static let maximumDepth = 32

    /// The file name used in issues.
    var fileName: String

    /// Parses `text`; returns `nil` for a document with no content (an empty file or only comments).
    func load(_ text: String) throws(ConfigError) -> YAMLNode? {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maximumDocumentSize else {
            throw ConfigError(issues: [
                issue(
                    YAMLMark(line: 0, column: 0),
                    path: "",
                    "\(fileName) is \(bytes.count) bytes, but a config file may be at most "
                        + "\(Self.maximumDocumentSize) bytes"
                )
            ])
        }
        // libyaml asserts that its input pointer is not null, and an empty array may have none.
        guard !bytes.isEmpty else { return nil }
        var builder = TreeBuilder(loader: self)
        let result: Result<YAMLNode?, ConfigError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return .failure(
                    ConfigError(issues: [
                        issue(
                            YAMLMark(line: 0, column: 0),
                            path: "",
                            "libyaml could not start a parser (out of memory)"
                        )
                    ])
                )
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return Result { () throws(ConfigError) -> YAMLNode? in
                try builder.run(&parser)
            }
        }
        return try result.get()
    }

    fileprivate func issue(_ mark: YAMLMark, path: String, _ message: String) -> ConfigIssue {
        ConfigIssue(file: fileName, line: mark.line, column: mark.column, path: path, message: message)
    }
}

/// The open mapping or list while its events arrive.
private final class OpenCollection {
    let mark: YAMLMark
    let path: String
    let isMapping: Bool
    var entries: [YAMLNode.Entry] = []
    var items: [YAMLNode] = []
    var pendingKey: (text: String, mark: YAMLMark)?
    var firstKeyMarks: [String: YAMLMark] = [:]

    init(mark: YAMLMark, path: String, isMapping: Bool) {
        self.mark = mark
        self.path = path
        self.isMapping = isMapping
    }

    /// The path of the child that arrives next.
    var nextChildPath: String {
        if isMapping {
            let key = pendingKey?.text ?? ""
            return path.isEmpty ? key : "\(path).\(key)"
        }
        return "\(path)[\(items.count)]"
    }

    var node: YAMLNode {
        YAMLNode(content: isMapping ? .mapping(entries) : .sequence(items), mark: mark)
    }
}

/// Turns the event stream into a tree; lives for one `load` call.
private struct TreeBuilder {
    let loader: YAMLLoader
    var stack: [OpenCollection] = []
    var root: YAMLNode?
    var documentCount = 0
    var duplicateKeyIssues: [ConfigIssue] = []

    init(loader: YAMLLoader) {
        self.loader = loader
    }

    mutating func run(_ parser: inout yaml_parser_t) throws(ConfigError) -> YAMLNode? {
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw ConfigError(issues: [syntaxIssue(parser)])
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT {
                break
            }
            try handle(event)
        }
        if !duplicateKeyIssues.isEmpty {
            throw ConfigError(issues: duplicateKeyIssues)
        }
        if let root, root.isNull {
            return nil
        }
        return root
    }

    private mutating func handle(_ event: yaml_event_t) throws(ConfigError) {
        let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                throw fail(
                    mark,
                    "a config file must contain one YAML document; remove the second `---` and what follows it"
                )
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            try rejectAnchor(scalar.anchor, at: mark)
            var style = Self.style(scalar.style)
            if let tag = Self.string(scalar.tag) {
                guard tag == "tag:yaml.org,2002:str" else {
                    throw fail(mark, "YAML tags such as \(Self.shortTag(tag)) are not supported; remove the tag")
                }
                if style == .plain {
                    style = .singleQuoted
                }
            }
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            try add(YAMLNode(content: .scalar(text, style), mark: mark))
        case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            try rejectAnchor(anchor, at: mark)
            if let tag = Self.string(tag) {
                throw fail(mark, "YAML tags such as \(Self.shortTag(tag)) are not supported; remove the tag")
            }
            guard stack.count < YAMLLoader.maximumDepth else {
                throw fail(mark, "nesting is deeper than \(YAMLLoader.maximumDepth) levels")
            }
            try checkKeyIsScalar(at: mark)
            let path = stack.last?.nextChildPath ?? ""
            stack.append(OpenCollection(mark: mark, path: path, isMapping: isMapping))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            let closed = stack.removeLast()
            try add(closed.node)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            throw fail(mark, "YAML aliases (*\(name)) are not supported; write the value out in full")
        default:
            break
        }
    }

    private mutating func add(_ node: YAMLNode) throws(ConfigError) {
        guard let top = stack.last else {
            root = node
            return
        }
        guard top.isMapping else {
            top.items.append(node)
            return
        }
        guard let key = top.pendingKey else {
            guard case .scalar(let text, _) = node.content else {
                throw fail(node.mark, "a mapping key must be plain text")
            }
            top.pendingKey = (text, node.mark)
            return
        }
        top.pendingKey = nil
        if let first = top.firstKeyMarks[key.text] {
            let path = top.path.isEmpty ? key.text : "\(top.path).\(key.text)"
            duplicateKeyIssues.append(
                loader.issue(
                    key.mark,
                    path: path,
                    "duplicate key \"\(key.text)\" (first given at line \(first.line)); keep one of them"
                )
            )
            return
        }
        top.firstKeyMarks[key.text] = key.mark
        top.entries.append(YAMLNode.Entry(key: key.text, keyMark: key.mark, value: node))
    }

    /// Rejects a mapping or list in key position (YAML's `? [a, b]: c`), which no config key uses.
    private func checkKeyIsScalar(at mark: YAMLMark) throws(ConfigError) {
        if let top = stack.last, top.isMapping, top.pendingKey == nil {
            throw fail(mark, "a mapping key must be plain text")
        }
    }

    private func rejectAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>?, at mark: YAMLMark) throws(ConfigError) {
        if let name = Self.string(anchor) {
            throw fail(mark, "YAML anchors (&\(name)) are not supported; write the value out in full")
        }
    }

    private func fail(_ mark: YAMLMark, _ message: String) -> ConfigError {
        ConfigError(issues: [loader.issue(mark, path: stack.last?.nextChildPath ?? "", message)])
    }

    private func syntaxIssue(_ parser: yaml_parser_t) -> ConfigIssue {
        let mark = YAMLMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        var message = "invalid YAML: " + (parser.problem.map { String(cString: $0) } ?? "unknown error")
        if let context = parser.context {
            let contextLine = Int(parser.context_mark.line) + 1
            let contextColumn = Int(parser.context_mark.column) + 1
            message += " (\(String(cString: context)) at line \(contextLine), column \(contextColumn))"
        }
        return loader.issue(mark, path: "", message)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    private static func shortTag(_ tag: String) -> String {
        tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
