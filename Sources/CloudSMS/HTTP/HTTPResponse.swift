/// A complete HTTP response: the final status, its header fields and the whole body.
///
/// Interim responses (`100 Continue`, a proxy's `200` to `CONNECT`) are dropped; only the
/// header fields of the final response are kept.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [HTTPHeader]
    /// At most `HTTPClient.Configuration.maxResponseBodyBytes` bytes.
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Returns the value of the first header field with this name, compared without regard to case.
    public func headerValue(named name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text, with invalid bytes replaced.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
