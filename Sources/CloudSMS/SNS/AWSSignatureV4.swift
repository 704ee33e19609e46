import Foundation

/// Signs AWS API requests with Signature Version 4 (the `Authorization` header form).
///
/// The signed header fields are `content-type`, `host`, `x-amz-date` and, with temporary
/// credentials, `x-amz-security-token`. `sign` adds the last three to the request itself, so what
/// is signed is what is sent. The path must already be in canonical form (SNS uses `/`), and the
/// query string is signed as given, so it must already be sorted and encoded.
public struct AWSSignatureV4: Sendable {
    /// An access key pair, with the session token of temporary credentials. Descriptions are redacted.
    public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        public var description: String { "AWSCredentials(redacted)" }
        public var debugDescription: String { description }
    }

    public var credentials: Credentials
    /// For example `eu-west-1`.
    public var region: String
    /// The signing name, `sns` for SNS.
    public var service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `Host`, `X-Amz-Date`, the session token if any, and `Authorization` to `request`.
    /// - Parameter date: the signing time; AWS rejects requests more than 5 minutes from its clock.
    public func sign(_ request: inout HTTPRequest, date: Date) {
        let components = URLComponents(string: request.url)
        let (amzDate, day) = Self.timestamps(date)
        request.headers.removeAll { ["host", "x-amz-date", "x-amz-security-token", "authorization"].contains($0.name.lowercased()) }
        request.headers.append(HTTPHeader(name: "Host", value: Self.hostHeader(components)))
        request.headers.append(HTTPHeader(name: "X-Amz-Date", value: amzDate))
        if let token = credentials.sessionToken {
            request.headers.append(HTTPHeader(name: "X-Amz-Security-Token", value: token))
        }

        let signed = signedHeaders(of: request)
        let canonicalRequest = [
            request.method.rawValue,
            Self.canonicalPath(components),
            components?.percentEncodedQuery ?? "",
            signed.map { "\($0.name):\($0.value)\n" }.joined(),
            signed.map(\.name).joined(separator: ";"),
            HMAC.hex(HMAC.sha256(request.body)),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            amzDate,
            scope,
            HMAC.hex(HMAC.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = HMAC.hex(HMAC.sha256(key: signingKey(day: day), message: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signed.map(\.name).joined(separator: ";")), Signature=\(signature)"
        request.headers.append(HTTPHeader(name: "Authorization", value: authorization))
    }

    /// Returns the headers to sign, lowercased, trimmed and sorted by name.
    private func signedHeaders(of request: HTTPRequest) -> [HTTPHeader] {
        let names: Set<String> = ["content-type", "host", "x-amz-date", "x-amz-security-token"]
        return request.headers
            .filter { names.contains($0.name.lowercased()) }
            .map { HTTPHeader(name: $0.name.lowercased(), value: Self.collapsingSpaces($0.value)) }
            .sorted { $0.name < $1.name }
    }

    private func signingKey(day: String) -> [UInt8] {
        var key = HMAC.sha256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = HMAC.sha256(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// Returns `host` or `host:port`, as libcurl writes the `Host` header: the port only when the URL has one.
    private static func hostHeader(_ components: URLComponents?) -> String {
        let host = components?.percentEncodedHost ?? ""
        guard let port = components?.port else { return host }
        return "\(host):\(port)"
    }

    private static func canonicalPath(_ components: URLComponents?) -> String {
        let path = components?.percentEncodedPath ?? ""
        return path.isEmpty ? "/" : path
    }

    private static func collapsingSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// Returns `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` in UTC.
    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let number = value ?? 0
            return number < 10 ? "0\(number)" : "\(number)"
        }
        let day = "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))"
        return ("\(day)T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z", day)
    }
}
