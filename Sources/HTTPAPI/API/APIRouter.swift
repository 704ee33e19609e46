import Config

/// Matches a request's method and path to a route, with `{id}` segments as path parameters.
///
/// An unknown path is 404 `route_not_found`; a known path with another method is 405 with the
/// methods it accepts. Paths match segment by segment, so `/v1/messages/` and `/v1/messages`
/// differ: the trailing slash is 404.
struct APIRouter: Sendable {
    /// The credential a route requires.
    enum Access: Sendable, Equatable {
        /// No token: webhooks check provider signatures instead, health and metrics are open.
        case open
        /// A bearer token with at least this role.
        case token(APITokenSettings.Role)
    }

    /// A matched request's path parameters, by name.
    struct Match: Sendable {
        var parameters: [String: String]
    }

    typealias Handler = @Sendable (HTTPRequest, Match) async throws -> HTTPResponse

    struct Route: Sendable {
        var method: String
        var segments: [Substring]
        var access: Access
        var handler: Handler
    }

    private var routes: [Route] = []

    /// Adds a route; `pattern` is a path such as `/v1/messages/{id}/cancel`.
    mutating func add(_ method: String, _ pattern: String, access: Access, _ handler: @escaping Handler) {
        routes.append(
            Route(method: method, segments: Self.segments(of: pattern), access: access, handler: handler)
        )
    }

    /// Finds the route for the request, with its path parameters.
    /// - Throws: `APIError.routeNotFound` or `.methodNotAllowed`.
    func route(method: String, path: String) throws(APIError) -> (Route, Match) {
        let segments = Self.segments(of: path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return (route, Match(parameters: parameters))
            }
            allowed.append(route.method)
        }
        guard !allowed.isEmpty else {
            throw APIError(.routeNotFound, "no route for \(method) \(path)")
        }
        var error = APIError(.methodNotAllowed, "\(path) accepts \(allowed.joined(separator: ", ")), not \(method)")
        error.allowedMethods = allowed
        throw error
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    private static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{"), expected.hasSuffix("}") {
                guard !actual.isEmpty else { return nil }
                parameters[String(expected.dropFirst().dropLast())] = String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
