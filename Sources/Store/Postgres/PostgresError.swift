/// An error from PostgreSQL or from libpq, with its SQLSTATE, the server's message and the
/// statement that failed.
///
/// `statement` is the SQL text without the bound values, because those may hold phone numbers
/// or message text. Failures that happen on the client side (no connection, a lost connection,
/// text PostgreSQL cannot store) carry the standard SQLSTATE of that condition, so callers
/// switch over `code` alone.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A five-character SQLSTATE code; each constant's doc comment keeps PostgreSQL's condition name.
    public struct SQLState: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// No connection could be made. The condition is `sqlclient_unable_to_establish_sqlconnection`.
        public static let unableToConnect = SQLState(rawValue: "08001")
        /// The connection was lost during or before a call. The condition is `connection_failure`.
        public static let connectionFailure = SQLState(rawValue: "08006")
        /// The text contains a character the database cannot store, such as NUL.
        /// The condition is `character_not_in_repertoire`.
        public static let characterNotInRepertoire = SQLState(rawValue: "22021")
        /// A value read back did not have the expected form. The condition is `data_exception`.
        public static let dataException = SQLState(rawValue: "22000")
        /// A foreign key check failed. The condition is `foreign_key_violation`.
        public static let foreignKeyViolation = SQLState(rawValue: "23503")
        /// A unique index or constraint refused a duplicate. The condition is `unique_violation`.
        public static let uniqueViolation = SQLState(rawValue: "23505")
        /// The password or the authentication method was refused. The condition is `invalid_password`.
        public static let invalidPassword = SQLState(rawValue: "28P01")
        /// The database named in the connection does not exist. The condition is `invalid_catalog_name`.
        public static let invalidCatalogName = SQLState(rawValue: "3D000")
        /// Concurrent transactions could not be serialised. The condition is `serialization_failure`.
        public static let serializationFailure = SQLState(rawValue: "40001")
        /// The server broke a lock cycle by cancelling this transaction. The condition is `deadlock_detected`.
        public static let deadlockDetected = SQLState(rawValue: "40P01")
        /// A table named in the statement does not exist. The condition is `undefined_table`.
        public static let undefinedTable = SQLState(rawValue: "42P01")
        /// An administrator ended the session or the server is shutting down. The condition is `admin_shutdown`.
        public static let adminShutdown = SQLState(rawValue: "57P01")
        /// A failure libpq reported without a SQLSTATE while the connection stayed up.
        /// The condition is `internal_error`.
        public static let internalError = SQLState(rawValue: "XX000")
        /// An exception raised by a function or trigger. The condition is `raise_exception`.
        public static let raiseException = SQLState(rawValue: "P0001")

        /// The connection is gone (class 08, or the server ending the session): the next call reconnects.
        public var isConnectionLoss: Bool {
            rawValue.hasPrefix("08") || rawValue.hasPrefix("57P")
        }

        /// Running the same transaction again may succeed: a deadlock or a serialisation failure.
        public var isTransient: Bool {
            self == .deadlockDetected || self == .serializationFailure
        }

        public var description: String { rawValue }
    }

    /// The SQLSTATE the server reported, or the one of the client-side condition.
    public var code: SQLState
    /// The server's primary message, or libpq's message for client-side failures.
    public var message: String
    /// The statement that failed, without values; `nil` for connecting.
    public var statement: String?

    public init(code: SQLState, message: String, statement: String? = nil) {
        self.code = code
        self.message = message
        self.statement = statement
    }

    public var description: String {
        var text = "PostgreSQL error \(code): \(message)"
        if let statement { text += " in: \(statement)" }
        return text
    }
}
