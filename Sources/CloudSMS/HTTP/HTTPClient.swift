import Diagnostics
import OptionalLibraries

/// An HTTP client over libcurl for the cloud providers' APIs.
///
/// Every transfer runs on one dedicated thread that owns a curl multi handle, never on Swift's
/// cooperative pool. `execute(_:)` suspends on a continuation until that thread has the result.
/// Connections to the same host are kept and reused. Each request carries its own connect
/// timeout and total timeout, and response bodies are cut off at a size limit.
///
/// Responses of every status come back as `HTTPResponse`; failures without a response throw
/// `HTTPClientError`, whose `classification` tells the caller whether the request may have left.
/// Cancelling the calling task stops its transfer. `shutdown()`, or releasing the client, ends
/// the thread and fails transfers still running with `clientClosed`.
public final class HTTPClient: Sendable {
    /// Settings shared by every request of a client.
    public struct Configuration: Sendable {
        /// Longer bodies fail with `bodyTooLarge`. Default 1 MiB, because provider responses are a few KiB.
        public var maxResponseBodyBytes: Int
        /// Send everything through this proxy; nil ignores the `http_proxy` family of variables.
        public var proxy: HTTPProxy?
        /// A PEM bundle of the CAs trusted for every request without its own
        /// `HTTPRequest.caBundlePath`, in place of the system's store; nil uses the system's.
        public var caBundlePath: String?
        public var userAgent: String
        /// Idle connections kept for reuse (`CURLMOPT_MAXCONNECTS`).
        public var maxIdleConnections: Int

        public init(
            maxResponseBodyBytes: Int = 1 << 20,
            proxy: HTTPProxy? = nil,
            caBundlePath: String? = nil,
            userAgent: String = "lifeline",
            maxIdleConnections: Int = 8
        ) {
            self.maxResponseBodyBytes = maxResponseBodyBytes
            self.proxy = proxy
            self.caBundlePath = caBundlePath
            self.userAgent = userAgent
            self.maxIdleConnections = maxIdleConnections
        }
    }

    private let loop: CurlTransferLoop

    /// Loads libcurl unless it is loaded, then starts the transfer thread.
    /// - Parameter logger: gets one `debug` line per exchange with method, host and status or
    ///   error; never the path, the body or credentials.
    /// - Throws: `OptionalLibraryError` when libcurl cannot be loaded.
    public init(configuration: Configuration = Configuration(), logger: Logger) throws(OptionalLibraryError) {
        try OptionalLibrary.curl.load(for: "the cloud providers' HTTP client")
        loop = CurlTransferLoop(configuration: configuration, logger: logger)
    }

    deinit {
        loop.close()
    }

    /// Sends one request and waits for the whole response.
    /// - Throws: `HTTPClientError` when no complete response arrived within the request's timeouts,
    ///   the body passed the size limit, the task was cancelled or the client was shut down.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let box = TransferIDBox()
        let result: Result<HTTPResponse, HTTPClientError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let id = loop.submit(request) { continuation.resume(returning: $0) }
                guard let id else {
                    continuation.resume(
                        returning: .failure(HTTPClientError(code: .clientClosed, requestMayHaveLeft: false))
                    )
                    return
                }
                if box.store(id) { loop.cancel(id) }
            }
        } onCancel: {
            if let id = box.markCancelled() { loop.cancel(id) }
        }
        return try result.get()
    }

    /// Stops the transfer thread; running and later requests fail with `clientClosed`. Returns at once.
    public func shutdown() {
        loop.close()
    }
}
