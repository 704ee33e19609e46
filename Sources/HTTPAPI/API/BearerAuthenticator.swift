import Config
import Foundation

/// Checks `Authorization: Bearer …` against the configured API tokens and their roles.
///
/// Every configured token is compared in constant time, and all of them are compared on each
/// request, so the time taken reveals neither how much of a token matched nor which one did.
struct BearerAuthenticator: Sendable {
    /// The caller a valid token belongs to.
    struct Caller: Sendable, Equatable {
        var name: String
        var role: APITokenSettings.Role
    }

    private let tokens: [APITokenSettings]

    init(tokens: [APITokenSettings]) {
        self.tokens = tokens
    }

    /// Identifies the caller from the request's `Authorization` header.
    /// - Throws: `APIError.missingToken` without a bearer token, `.invalidToken` for an unknown one,
    ///   `.forbidden` when the token's role is below `required`.
    func authenticate(authorization: String?, required: APITokenSettings.Role) throws(APIError) -> Caller {
        guard let authorization, let presented = Self.bearerToken(in: authorization) else {
            throw APIError(.missingToken, "send an API token as Authorization: Bearer <token>")
        }
        var match: APITokenSettings?
        let presentedBytes = Array(presented.utf8)
        for token in tokens where Self.constantTimeEquals(Array(token.token.revealed.utf8), presentedBytes) {
            match = token
        }
        guard let match else {
            throw APIError(.invalidToken, "the API token is not valid: check the token in the config's api_tokens")
        }
        guard match.role.includes(required) else {
            throw APIError(
                .forbidden,
                "the token \"\(match.name)\" has role \(match.role.rawValue); this call needs \(required.rawValue)"
            )
        }
        return Caller(name: match.name, role: match.role)
    }

    /// Returns the token after `Bearer ` (scheme compared without case), or `nil`.
    static func bearerToken(in header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Compares without an early exit: the time depends on the lengths only.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        let count = max(lhs.count, rhs.count)
        for index in 0..<count {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0 && lhs.count == rhs.count
    }
}

extension APITokenSettings.Role {
    /// read < send < admin: a role may do what every lower role may.
    var rank: Int {
        switch self {
        case .read: 0
        case .send: 1
        case .admin: 2
        }
    }

    /// Tells whether this role may make a call that needs `required`.
    func includes(_ required: APITokenSettings.Role) -> Bool {
        rank >= required.rank
    }
}
