import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A response as read off the wire.
struct RawResponse: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, or an empty one when it is not.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// `error.code` of a JSON error body.
    var errorCode: String? {
        (json["error"] as? [String: Any])?["code"] as? String
    }

    /// `error.field` of a JSON error body.
    var errorField: String? {
        (json["error"] as? [String: Any])?["field"] as? String
    }
}

/// A small HTTP/1.1 client over a blocking socket to 127.0.0.1, run on a thread of its own.
///
/// Each request opens a connection with `Connection: close` and reads until the server closes
/// it, or until `stopAfter` bytes of body appear (for event streams). Reads give up after 10 s.
enum RawHTTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends a request built from parts and reads the response.
    static func send(
        port: Int,
        method: String,
        path: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        stopAfter marker: String? = nil
    ) async throws -> RawResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return try await exchange(port: port, bytes: Array(head.utf8) + body, stopAfter: marker)
    }

    /// Writes `bytes` as they are and reads the response; with `halfClose` the client then shuts
    /// its sending side, as a client that gives up half-way does.
    static func exchange(
        port: Int,
        bytes: [UInt8],
        stopAfter marker: String? = nil,
        halfClose: Bool = false
    ) async throws -> RawResponse {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result {
                        try blockingExchange(port: port, bytes: bytes, stopAfter: marker, halfClose: halfClose)
                    }
                )
            }
            thread.start()
        }
    }

    private static func blockingExchange(
        port: Int,
        bytes: [UInt8],
        stopAfter marker: String?,
        halfClose: Bool
    ) throws -> RawResponse {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed: \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }

        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                break  // the server may respond and close before reading everything
            }
            offset += written
        }
        if halfClose { shutdown(descriptor, Int32(SHUT_WR)) }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            received += buffer[0..<count]
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { break }
        }
        return try parse(received)
    }

    private static func parse(_ bytes: [UInt8]) throws -> RawResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else {
            throw Failure(description: "no complete response head in \(bytes.count) bytes")
        }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        var body = Array(bytes[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Joins the chunks of a chunked body; a cut-off last chunk is kept as far as it goes.
    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let stop = min(start + size, bytes.count)
            output += bytes[start..<stop]
            index = stop + 2
        }
        return output
    }
}
