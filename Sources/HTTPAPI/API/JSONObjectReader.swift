import Foundation

/// Reads a JSON request body that must be one object with known keys, naming the field at fault.
///
/// Not JSON at all is `malformed_json` (400); a body that is JSON but not an object, a value of
/// the wrong type, or a key the route does not know is 422 naming the field. `null` counts as
/// absent for optional fields.
struct JSONObjectReader {
    private let object: [String: Any]

    /// Parses `body` and rejects keys outside `allowedKeys`.
    /// - Throws: `APIError` `.malformedJSON`, `.invalidType` (field empty) or `.unknownField`.
    init(body: [UInt8], allowedKeys: Set<String>) throws(APIError) {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw APIError(.malformedJSON, "the request body is not valid JSON: send one JSON object")
        }
        guard let object = value as? [String: Any] else {
            throw APIError(.invalidType, "the request body must be a JSON object", field: "")
        }
        let unknown = object.keys.filter { !allowedKeys.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw APIError(
                .unknownField,
                "unknown field \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
                    + "known fields are \(allowedKeys.sorted().joined(separator: ", "))",
                field: unknown.joined(separator: ",")
            )
        }
        self.object = object
    }

    /// Reads a required string.
    func string(_ key: String) throws(APIError) -> String {
        guard let value = try optionalString(key) else {
            throw APIError(.missingField, "the field \"\(key)\" is required", field: key)
        }
        return value
    }

    /// Reads an optional string; `null` or absent gives `nil`.
    func optionalString(_ key: String) throws(APIError) -> String? {
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let value = raw as? String, !Self.isNumberOrBool(raw) else {
            throw APIError(.invalidType, "the field \"\(key)\" must be a string", field: key)
        }
        return value
    }

    /// Reads a required array of strings.
    func stringArray(_ key: String) throws(APIError) -> [String] {
        guard let raw = object[key], !(raw is NSNull) else {
            throw APIError(.missingField, "the field \"\(key)\" is required", field: key)
        }
        guard let array = raw as? [Any] else {
            throw APIError(.invalidType, "the field \"\(key)\" must be an array of strings", field: key)
        }
        var strings: [String] = []
        strings.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            guard let text = element as? String, !Self.isNumberOrBool(element) else {
                throw APIError(.invalidType, "\(key)[\(index)] must be a string", field: "\(key)[\(index)]")
            }
            strings.append(text)
        }
        return strings
    }

    /// Foundation on Linux bridges numbers and booleans to `NSNumber`, which must never pass as text.
    private static func isNumberOrBool(_ value: Any) -> Bool {
        value is NSNumber && !(value is String)
    }
}
