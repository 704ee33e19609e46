/// A bearer token for the HTTP API and the role it grants.
public struct APITokenSettings: Sendable, Equatable {
    /// The permission a token grants. Roles rank read < send < admin, and a token may make every
    /// call its role or a lower role may.
    public enum Role: String, Sendable, Equatable, CaseIterable {
        /// Submit messages and broadcasts, and cancel queued messages and broadcasts (any
        /// token's, since messages are not owned by a token), besides everything `read` may.
        case send
        /// Read messages, broadcasts, providers, the queue and the status event stream.
        case read
        /// Import contact lists into groups, besides everything `send` may. The status page needs
        /// an admin token.
        case admin
    }

    /// Shortest accepted token, so that a guessable word is never a credential.
    public static let minimumTokenLength = 16

    /// A label for logs and audit events; unique among tokens.
    public var name: String
    public var role: Role
    public var token: Secret

    public init(name: String, role: Role, token: Secret) {
        self.name = name
        self.role = role
        self.token = token
    }

    static func decode(_ value: ConfigValue) -> APITokenSettings? {
        value.mapping { reader in
            let name = reader.required("name", expected: "a name of lower-case letters, digits and -") {
                $0.string(expected: "a name of lower-case letters, digits and -", where: ValueShape.isIdentifier)
            }
            let role = reader.required("role", expected: "one of send, read, admin") { $0.enumeration(Role.self) }
            let token = reader.secret("token", required: true)
            if let token, token.count < minimumTokenLength, let origin = reader.secretOrigin("token") {
                origin.report(
                    "the token has \(token.count) characters; use at least \(minimumTokenLength), "
                        + "for example from `openssl rand -hex 24`"
                )
            }
            guard let name, let role, let token, token.count >= minimumTokenLength else { return nil }
            return APITokenSettings(name: name, role: role, token: token)
        }
    }
}
