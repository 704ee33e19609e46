import Foundation

/// A JSON value read from the shared fixture file, so each field case's expected values are the test table.
enum JSONValue: Decodable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue {
        if case .object(let members) = self, let value = members[key] { return value }
        return .null
    }

    subscript(index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        if case .number(let value) = self { return Int(value) }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var objectKeys: [String] {
        if case .object(let members) = self { return members.keys.sorted() }
        return []
    }
}

/// Loads Tests/Fixtures/field-cases.json from the package root.
enum FieldCases {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static func load(_ id: String) throws -> JSONValue {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/field-cases.json")
        let all = try JSONDecoder().decode([JSONValue].self, from: Data(contentsOf: url))
        guard let found = all.first(where: { $0["id"].string == id }) else {
            throw FixtureError.missingCase(id)
        }
        return found
    }

    enum FixtureError: Error {
        case missingCase(String)
    }
}
