import Foundation

/// Encodes response bodies: snake_case keys, ISO 8601 dates in UTC, sorted keys.
enum JSONResponse {
    /// Makes a JSON response with `Content-Type: application/json` and `Cache-Control: no-store`.
    static func make<Body: Encodable>(status: Int, _ body: Body, headers: [HTTPField] = []) -> HTTPResponse {
        let bytes =
            (try? encode(body)) ?? Array(#"{"error":{"code":"internal_error","message":"encoding failed"}}"#.utf8)
        return HTTPResponse(
            status: status,
            headers: [
                HTTPField(name: "Content-Type", value: "application/json"),
                HTTPField(name: "Cache-Control", value: "no-store"),
            ] + headers,
            body: .bytes(bytes)
        )
    }

    /// Encodes `body` to bytes.
    static func encode<Body: Encodable>(_ body: Body) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(body))
    }
}
