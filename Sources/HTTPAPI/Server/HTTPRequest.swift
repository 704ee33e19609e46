/// A request as the server hands it to the handler: method, path, query, headers and body.
///
/// The body is complete when the handler runs. A body longer than the server's limit is dropped
/// while it arrives and `bodyExceededLimit` is set, so the handler can return 413 in the same
/// place as every other error.
struct HTTPRequest: Sendable {
    var method: String
    /// The path without the query string, percent-decoded by libmicrohttpd.
    var path: String
    /// Decoded query parameters in arrival order.
    var query: [HTTPField]
    /// Headers in arrival order with lower-cased names.
    var headers: [HTTPField]
    var body: [UInt8]
    /// The body was longer than the limit; `body` is empty then.
    var bodyExceededLimit: Bool

    init(
        method: String,
        path: String,
        query: [HTTPField] = [],
        headers: [HTTPField] = [],
        body: [UInt8] = [],
        bodyExceededLimit: Bool = false
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers.map { HTTPField(name: $0.name.lowercased(), value: $0.value) }
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
    }

    /// Returns the first header with this name, compared without case.
    func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.name == name }?.value
    }

    /// Returns the last query parameter with this name.
    func queryValue(_ name: String) -> String? {
        query.last { $0.name == name }?.value
    }
}
