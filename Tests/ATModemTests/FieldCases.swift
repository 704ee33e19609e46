import Foundation

/// Reads cases from `Tests/Fixtures/field-cases.json`.
enum FieldCases {
    /// The case with `id`, as parsed JSON.
    static func named(_ id: String) throws -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Fixtures/field-cases.json"))
        let cases = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        guard let found = cases.first(where: { $0["id"] as? String == id }) else {
            throw FieldCaseError.missing(id)
        }
        return found
    }

    enum FieldCaseError: Error {
        case missing(String)
        case malformed(String)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The value at a dotted path such as `expected.variant_a.cmgr`.
    func at(_ path: String) throws -> Any {
        var current: Any = self
        for key in path.split(separator: ".") {
            guard let object = current as? [String: Any], let next = object[String(key)] else {
                throw FieldCases.FieldCaseError.malformed(path)
            }
            current = next
        }
        return current
    }

    func string(_ path: String) throws -> String {
        guard let value = try at(path) as? String else { throw FieldCases.FieldCaseError.malformed(path) }
        return value
    }

    func int(_ path: String) throws -> Int {
        guard let value = try at(path) as? Int else { throw FieldCases.FieldCaseError.malformed(path) }
        return value
    }
}
