import Foundation

/// A failed API request: a stable code, a message for people, and the field at fault.
///
/// `status` is the one place where errors become HTTP statuses; every route throws `APIError`
/// and the server turns it into `{"error": {"code", "message", "field"}}`.
struct APIError: Error, Sendable, Equatable {
    /// The stable codes clients may switch on.
    enum Code: String, Sendable {
        case malformedJSON = "malformed_json"
        case malformedForm = "malformed_form"
        case invalidType = "invalid_type"
        case unknownField = "unknown_field"
        case missingField = "missing_field"
        case invalidValue = "invalid_value"
        case invalidRecipient = "invalid_recipient"
        case invalidRecipients = "invalid_recipients"
        case textNotSendable = "text_not_sendable"
        case invalidCSV = "invalid_csv"
        case unsupportedMediaType = "unsupported_media_type"
        case missingToken = "missing_token"
        case invalidToken = "invalid_token"
        case forbidden
        case invalidSignature = "invalid_signature"
        /// A webhook that must be signed came without a valid signature.
        case signatureRejected = "signature_rejected"
        case routeNotFound = "route_not_found"
        case messageNotFound = "message_not_found"
        case broadcastNotFound = "broadcast_not_found"
        case webhookNotConfigured = "webhook_not_configured"
        case methodNotAllowed = "method_not_allowed"
        case notCancellable = "not_cancellable"
        case payloadTooLarge = "payload_too_large"
        case tooManyStreams = "too_many_streams"
        case internalError = "internal_error"
    }

    /// One rejected entry of a broadcast's recipient list.
    struct RejectedRecipient: Sendable, Equatable, Encodable {
        var index: Int
        var value: String
        var reason: String
    }

    var code: Code
    var message: String
    var field: String?
    /// Broadcast entries that failed intake, for `invalid_recipients`.
    var rejected: [RejectedRecipient] = []
    /// Methods the path accepts, for `method_not_allowed`.
    var allowedMethods: [String] = []
    /// The 1-based line of an uploaded file at fault, for `invalid_csv`.
    var line: Int?

    init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The HTTP status for each code.
    var status: Int {
        switch code {
        case .malformedJSON, .malformedForm: 400
        case .missingToken, .invalidToken: 401
        case .forbidden, .invalidSignature, .signatureRejected: 403
        case .routeNotFound, .messageNotFound, .broadcastNotFound, .webhookNotConfigured: 404
        case .methodNotAllowed: 405
        case .notCancellable: 409
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .invalidType, .unknownField, .missingField, .invalidValue, .invalidRecipient, .invalidRecipients,
            .textNotSendable, .invalidCSV:
            422
        case .tooManyStreams: 503
        case .internalError: 500
        }
    }

    /// The JSON response, with `WWW-Authenticate` on 401 and `Allow` on 405.
    var response: HTTPResponse {
        var headers: [HTTPField] = []
        switch code {
        case .missingToken:
            headers.append(HTTPField(name: "WWW-Authenticate", value: "Bearer realm=\"lifeline\""))
        case .invalidToken:
            headers.append(
                HTTPField(name: "WWW-Authenticate", value: "Bearer realm=\"lifeline\", error=\"invalid_token\"")
            )
        case .methodNotAllowed:
            headers.append(HTTPField(name: "Allow", value: allowedMethods.joined(separator: ", ")))
        default:
            break
        }
        let body = ErrorBody(
            error: ErrorBody.Detail(
                code: code.rawValue,
                message: message,
                field: field,
                line: line,
                rejected: rejected.isEmpty ? nil : rejected
            )
        )
        return JSONResponse.make(status: status, body, headers: headers)
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
            var line: Int?
            var rejected: [RejectedRecipient]?
        }
        var error: Detail
    }
}
