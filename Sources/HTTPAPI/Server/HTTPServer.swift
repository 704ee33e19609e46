import CMicroHTTPDShim
import Diagnostics
import Foundation

/// An HTTP/1.1 server on libmicrohttpd that hands complete requests to an async Swift handler.
///
/// Threads: libmicrohttpd runs one listening thread and one thread per connection, up to
/// `HTTPServerLimits.connectionLimit`. When a request is complete its connection thread starts a
/// task for the handler and waits on a semaphore for the response. Waiting there was chosen over
/// suspend and resume: the wait blocks only that connection's own thread, never a thread of
/// Swift's cooperative pool, the code stays straight-line, and streamed responses (server-sent
/// events) can block in the same way between events. The connection limit bounds the threads.
///
/// Limits: the body is capped at `maxBodyBytes` (the handler gets `bodyExceededLimit` and returns
/// 413); headers must fit in `connectionMemoryBytes`; an idle connection is closed after
/// `connectionTimeoutSeconds`.
///
/// Stop: `stop()` closes the listening socket and waits for the connection threads, so every
/// handler already running finishes first; close open event streams before calling it.
final class HTTPServer: @unchecked Sendable {
    // @unchecked: `lock` guards `daemon`, `started`, `boundPort` and `retained`; the other stored
    // properties are immutable.
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    let host: String
    let requestedPort: Int
    let limits: HTTPServerLimits
    private let handler: Handler
    private let logger: Logger
    private let lock = NSLock()
    private var daemon: OpaquePointer?
    private var started = false
    private var boundPort = 0
    private var retained: Unmanaged<HTTPServer>?

    init(
        host: String,
        port: Int,
        limits: HTTPServerLimits = HTTPServerLimits(),
        logger: Logger,
        handler: @escaping Handler
    ) {
        self.host = host
        self.requestedPort = port
        self.limits = limits
        self.logger = logger
        self.handler = handler
    }

    /// The bound port; the kernel's choice when started with port 0, and 0 before `start()`.
    var port: Int {
        lock.withLock { boundPort }
    }

    /// Binds and starts serving on libmicrohttpd's threads.
    /// - Throws: `HTTPServerError` when the address is not an IP literal or cannot be bound.
    func start() throws(HTTPServerError) {
        lock.lock()
        let result = startLocked()
        lock.unlock()
        let bound = try result.get()
        logger.debug("HTTP server listening", metadata: ["http.host": host, "http.port": "\(bound)"])
    }

    /// Starts the daemon; called with `lock` held. Returns the bound port.
    private func startLocked() -> Result<Int, HTTPServerError> {
        guard !started else { return .failure(.alreadyStarted) }
        let unmanaged = Unmanaged.passRetained(self)
        let cLimits = lifeline_mhd_limits(
            connection_limit: UInt32(limits.connectionLimit),
            per_address_connection_limit: UInt32(limits.perAddressConnectionLimit),
            connection_timeout_seconds: UInt32(limits.connectionTimeoutSeconds),
            connection_memory_limit: limits.connectionMemoryBytes
        )
        var errorNumber: Int32 = 0
        let pointer = lifeline_mhd_start(
            host,
            UInt16(clamping: requestedPort),
            cLimits,
            accessHandler,
            unmanaged.toOpaque(),
            completedHandler,
            unmanaged.toOpaque(),
            &errorNumber
        )
        guard let pointer else {
            unmanaged.release()
            if errorNumber == EINVAL { return .failure(.invalidAddress(host)) }
            return .failure(.cannotListen(host: host, port: requestedPort, errno: errorNumber))
        }
        started = true
        daemon = pointer
        retained = unmanaged
        boundPort = Int(lifeline_mhd_bound_port(pointer))
        return .success(boundPort)
    }

    /// Stops listening and waits, on a thread of its own, until every connection has finished.
    func stop() async {
        let (pointer, unmanaged) = lock.withLock { () -> (OpaquePointer?, Unmanaged<HTTPServer>?) in
            defer {
                daemon = nil
                retained = nil
            }
            return (daemon, retained)
        }
        guard let pointer else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let daemon = DaemonHandle(pointer: pointer)
            let thread = Thread {
                MHD_stop_daemon(daemon.pointer)
                continuation.resume()
            }
            thread.name = "lifeline-http-stop"
            thread.start()
        }
        unmanaged?.release()
        logger.debug("HTTP server stopped", metadata: ["http.port": "\(port)"])
    }

    // MARK: Callbacks on libmicrohttpd's threads

    /// Collects one request across the access handler's calls: the first call creates the
    /// context, the middle ones deliver body bytes, the last one (no bytes) responds.
    fileprivate func handleAccess(
        connection: OpaquePointer,
        url: String,
        method: String,
        upload: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>,
        context: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let existing = context.pointee else {
            let pending = PendingRequest(method: method, path: url, connection: connection)
            context.pointee = Unmanaged.passRetained(pending).toOpaque()
            if let length = pending.declaredLength, length > limits.maxDiscardedBodyBytes {
                pending.overflowed = true
                return respond(to: pending, on: connection)
            }
            return .YES
        }
        let pending = Unmanaged<PendingRequest>.fromOpaque(existing).takeUnretainedValue()
        if pending.answered {
            uploadSize.pointee = 0
            return .YES
        }
        let size = uploadSize.pointee
        if size > 0 {
            uploadSize.pointee = 0
            pending.received += size
            if pending.received > limits.maxDiscardedBodyBytes { return .NO }
            if pending.received > limits.maxBodyBytes {
                pending.overflowed = true
                pending.body = []
            } else if let upload {
                upload.withMemoryRebound(to: UInt8.self, capacity: size) { bytes in
                    pending.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: size))
                }
            }
            return .YES
        }
        return respond(to: pending, on: connection)
    }

    /// Runs the handler in a task and blocks this connection thread until it returns a response.
    ///
    /// A handler that takes longer than `handlerTimeout` loses its connection, which is closed
    /// without a response; the task itself runs on and its late response is dropped.
    private func respond(to pending: PendingRequest, on connection: OpaquePointer) -> MHD_Result {
        pending.answered = true
        let request = pending.request()
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        Task {
            box.response = await handler(request)
            done.signal()
        }
        guard done.wait(timeout: .now() + limits.handlerTimeout) == .success, let response = box.response else {
            logger.error(
                "Request handler timed out",
                metadata: ["http.method": request.method, "http.path": request.path]
            )
            return .NO
        }
        return queue(response, on: connection)
    }

    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let created: OpaquePointer?
        switch response.body {
        case .bytes(var bytes):
            created = bytes.withUnsafeMutableBytes { buffer in
                MHD_create_response_from_buffer(buffer.count, buffer.baseAddress, .RESPMEM_MUST_COPY)
            }
        case .stream(let stream):
            let unmanaged = Unmanaged.passRetained(stream)
            created = MHD_create_response_from_callback(
                lifeline_mhd_size_unknown(),
                4096,
                streamReader,
                unmanaged.toOpaque(),
                streamFree
            )
            if created == nil {
                stream.finish()
                unmanaged.release()
            }
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for field in response.headers {
            _ = MHD_add_response_header(created, field.name, field.value)
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }
}

/// The request being collected on one connection; touched only by that connection's thread.
private final class PendingRequest {
    let method: String
    let path: String
    let headers: [HTTPField]
    let query: [HTTPField]
    var body: [UInt8] = []
    var received = 0
    var overflowed = false
    var answered = false

    init(method: String, path: String, connection: OpaquePointer) {
        self.method = method
        self.path = path
        headers = PendingRequest.values(of: .HEADER_KIND, on: connection)
        query = PendingRequest.values(of: .GET_ARGUMENT_KIND, on: connection)
    }

    /// The `Content-Length` the client announced, if any.
    var declaredLength: Int? {
        headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
    }

    func request() -> HTTPRequest {
        HTTPRequest(
            method: method,
            path: path,
            query: query,
            headers: headers,
            body: overflowed ? [] : body,
            bodyExceededLimit: overflowed
        )
    }

    private static func values(of kind: MHD_ValueKind, on connection: OpaquePointer) -> [HTTPField] {
        final class Collector {
            var fields: [HTTPField] = []
        }
        let collector = Collector()
        withExtendedLifetime(collector) {
            _ = MHD_get_connection_values(
                connection,
                kind,
                { closure, _, key, value in
                    guard let closure, let key else { return .YES }
                    let collector = Unmanaged<Collector>.fromOpaque(closure).takeUnretainedValue()
                    let text = value.map { String(cString: $0) } ?? ""
                    collector.fields.append(HTTPField(name: String(cString: key), value: text))
                    return .YES
                },
                Unmanaged.passUnretained(collector).toOpaque()
            )
        }
        return collector.fields
    }
}

/// Moves the daemon pointer to the thread that stops it.
private struct DaemonHandle: @unchecked Sendable {
    // @unchecked: after `stop()` took it out of the server, only the stopping thread uses the pointer.
    let pointer: OpaquePointer
}

/// Carries the handler's response from its task to the waiting connection thread.
private final class ResponseBox: @unchecked Sendable {
    // @unchecked: written once by the task before it signals the semaphore, and read only after a
    // wait that saw the signal; after a timed-out wait it is never read.
    var response: HTTPResponse?
}

private let accessHandler: lifeline_mhd_access_handler = {
    closure,
    connection,
    url,
    method,
    _,
    upload,
    uploadSize,
    context in
    guard let closure, let connection, let url, let method, let uploadSize, let context else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(closure).takeUnretainedValue()
    return server.handleAccess(
        connection: connection,
        url: String(cString: url),
        method: String(cString: method),
        upload: upload,
        uploadSize: uploadSize,
        context: context
    )
}

private let completedHandler: lifeline_mhd_completed_handler = { _, _, context, _ in
    guard let context, let pointer = context.pointee else { return }
    Unmanaged<PendingRequest>.fromOpaque(pointer).release()
    context.pointee = nil
}

private let streamReader: MHD_ContentReaderCallback = { closure, _, buffer, capacity in
    guard let closure, let buffer else { return lifeline_mhd_content_reader_end_with_error() }
    let stream = Unmanaged<EventStream>.fromOpaque(closure).takeUnretainedValue()
    let count = buffer.withMemoryRebound(to: UInt8.self, capacity: capacity) { bytes in
        stream.read(into: bytes, capacity: capacity)
    }
    guard let count else { return lifeline_mhd_content_reader_end_of_stream() }
    return count
}

private let streamFree: MHD_ContentReaderFreeCallback = { closure in
    guard let closure else { return }
    let unmanaged = Unmanaged<EventStream>.fromOpaque(closure)
    unmanaged.takeUnretainedValue().finish()
    unmanaged.release()
}
