/// A response for the server to send: status, headers and either a body or an event stream.
struct HTTPResponse: Sendable {
    /// The content after the headers.
    enum Body: Sendable {
        /// A complete body, sent with its `Content-Length`.
        case bytes([UInt8])
        /// A stream of unknown length, sent chunked until the stream closes or the client leaves.
        case stream(EventStream)
    }

    var status: Int
    var headers: [HTTPField]
    var body: Body

    init(status: Int, headers: [HTTPField] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Makes a response with a text body and its content type.
    init(status: Int, contentType: String, text: String, headers: [HTTPField] = []) {
        self.init(
            status: status,
            headers: [HTTPField(name: "Content-Type", value: contentType)] + headers,
            body: .bytes(Array(text.utf8))
        )
    }
}
