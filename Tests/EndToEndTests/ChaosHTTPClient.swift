import Foundation

/// A minimal HTTP/1.1 client for 127.0.0.1: one request per connection (`Connection: close`),
/// the whole response read until the server closes, on a dedicated thread.
///
/// Sends and receives time out after 5 s each; a failure returns status 0 with the errno in the body.
enum ChaosHTTPClient {
    /// A response: its status code and everything the server sent (status line, headers, body).
    struct Response: Sendable {
        var status: Int
        var raw: String
    }

    static func request(
        port: UInt16,
        method: String,
        path: String,
        token: String? = nil,
        body: String? = nil
    ) async -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        let request = Array((head + "\r\n" + (body ?? "")).utf8)
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: exchange(port: port, request: request)) }.start()
        }
    }

    private static func exchange(port: UInt16, request: [UInt8]) -> Response {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return Response(status: 0, raw: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return Response(status: 0, raw: "connect: errno \(errno)") }

        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return Response(status: 0, raw: "send: errno \(errno)") }
            sent += count
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        let raw = String(decoding: received, as: UTF8.self)
        let statusText = raw.split(separator: " ", maxSplits: 2).dropFirst().first ?? ""
        return Response(status: Int(statusText) ?? 0, raw: raw)
    }
}
