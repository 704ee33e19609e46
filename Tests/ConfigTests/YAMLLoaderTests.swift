import Testing

@testable import Config

@Suite struct YAMLLoaderTests {
    private func load(_ text: String) throws(ConfigError) -> YAMLNode? {
        try YAMLLoader(fileName: "test.yaml").load(text)
    }

    private func loadIssues(_ text: String) -> [ConfigIssue] {
        do {
            _ = try load(text)
            return []
        } catch {
            return error.issues
        }
    }

    /// Scalars keep their text, style and 1-based position; quoted text stays a string.
    @Test func scalarsKeepStyleAndMarks() throws {
        let root = try #require(try load("a: 0123\nb: \"0123\"\nc: 'x'\nd: |\n  line\n"))
        guard case .mapping(let entries) = root.content else {
            Issue.record("root is not a mapping")
            return
        }

        #expect(entries.map(\.key) == ["a", "b", "c", "d"])
        #expect(entries[0].value.content == .scalar("0123", .plain))
        #expect(entries[1].value.content == .scalar("0123", .doubleQuoted))
        #expect(entries[2].value.content == .scalar("x", .singleQuoted))
        #expect(entries[3].value.content == .scalar("line\n", .literal))
        #expect(entries[1].keyMark == YAMLMark(line: 2, column: 1))
        #expect(entries[1].value.mark == YAMLMark(line: 2, column: 4))
    }

    /// Nested lists and mappings keep document order.
    @Test func nestedCollections() throws {
        let root = try #require(try load("list:\n  - {x: 1}\n  - [2, 3]\n"))
        let list = try #require(root.mappingValue(forKey: "list"))
        guard case .sequence(let items) = list.content else {
            Issue.record("list is not a sequence")
            return
        }

        #expect(items.count == 2)
        #expect(items[0].mappingValue(forKey: "x")?.content == .scalar("1", .plain))
        #expect(
            items[1].content
                == .sequence([
                    YAMLNode(content: .scalar("2", .plain), mark: YAMLMark(line: 3, column: 6)),
                    YAMLNode(content: .scalar("3", .plain), mark: YAMLMark(line: 3, column: 9)),
                ])
        )
    }

    /// `!!str` makes a plain scalar a string; other tags are rejected.
    @Test func tags() throws {
        let root = try #require(try load("a: !!str 10\n"))

        #expect(root.mappingValue(forKey: "a")?.content == .scalar("10", .singleQuoted))
        #expect(
            loadIssues("a: !!int 10\n").map(\.message) == ["YAML tags such as !!int are not supported; remove the tag"]
        )
    }

    /// An empty or comment-only document loads as no content.
    @Test func emptyDocument() throws {
        #expect(try load("") == nil)
        #expect(try load("# only a comment\n") == nil)
    }

    /// Rejected structures each give one issue at their position.
    @Test(arguments: [
        ("a: &x 1\nb: *x\n", 1, 4, "a", "YAML anchors (&x) are not supported"),
        ("a: [1, *x]\n", 1, 8, "a[1]", "YAML aliases (*x) are not supported"),
        ("a: 1\n---\nb: 2\n", 2, 1, "", "a config file must contain one YAML document"),
        ("? [a, b]\n: c\n", 1, 3, "", "a mapping key must be plain text"),
        ("a: 1\nb:\n  c: 2\n  c: 3\n", 4, 3, "b.c", "duplicate key \"c\" (first given at line 3)"),
        (
            "a: \"open\n", 2, 1, "",
            "invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)"
        ),
    ])
    func rejected(text: String, line: Int, column: Int, path: String, message: String) {
        let issues = loadIssues(text)

        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.line == line, "\(issues)")
        #expect(issues.first?.column == column, "\(issues)")
        #expect(issues.first?.path == path, "\(issues)")
        #expect(issues.first?.message.hasPrefix(message) == true, "\(issues)")
    }

    /// Every duplicate key in the file is reported, not just the first.
    @Test func allDuplicateKeysReported() {
        let issues = loadIssues("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")

        #expect(issues.map(\.path) == ["a", "b.c"])
    }

    /// Nesting past the depth limit is rejected rather than recursing without bound.
    @Test func depthLimit() {
        let deep =
            String(repeating: "[", count: YAMLLoader.maximumDepth + 1)
            + String(repeating: "]", count: YAMLLoader.maximumDepth + 1)
        let issues = loadIssues(deep)

        #expect(issues.map(\.message) == ["nesting is deeper than \(YAMLLoader.maximumDepth) levels"])
        #expect(
            (try? load(
                String(repeating: "[", count: YAMLLoader.maximumDepth)
                    + String(repeating: "]", count: YAMLLoader.maximumDepth)
            )) != nil
        )
    }

    /// A document over the size limit is rejected before parsing.
    @Test func sizeLimit() {
        let big = "a: \"" + String(repeating: "x", count: YAMLLoader.maximumDocumentSize) + "\"\n"
        let issues = loadIssues(big)

        #expect(issues.count == 1)
        #expect(issues.first?.message.contains("may be at most \(YAMLLoader.maximumDocumentSize) bytes") == true)
    }
}
