import CCurlShim
import Diagnostics
import Foundation

/// The thread that owns one curl multi handle and runs every transfer of an `HTTPClient`.
///
/// Callers hand transfers over under `lock` and wake the thread with `curl_multi_wakeup`. The
/// thread adds them to the multi handle and drives them with `curl_multi_perform`. It sleeps in
/// `curl_multi_poll` until a socket is ready, a libcurl timer is due or a caller wakes it. The
/// multi handle keeps finished connections open, so later requests to the same host reuse them.
final class CurlTransferLoop: @unchecked Sendable {
    // @unchecked: `lock` guards `incoming`, `cancelled` and `isClosed`. Only the loop thread uses
    // `multi` and `active`, except for `curl_multi_wakeup`, which libcurl allows from any thread.
    // Callers make that call under `lock` while `isClosed` is false, so always before the loop
    // frees the handle.
    private let lock = NSLock()
    private var incoming: [CurlTransfer] = []
    private var cancelled: Set<UInt64> = []
    private var isClosed = false
    private var nextID: UInt64 = 1

    private let multi: UnsafeMutableRawPointer
    private var active: [UInt64: CurlTransfer] = [:]
    private let configuration: HTTPClient.Configuration
    private let logger: Logger

    /// The maximum sleep in `curl_multi_poll`. libcurl shortens it when one of its timers is due.
    private static let pollMilliseconds: Int32 = 1000

    init(configuration: HTTPClient.Configuration, logger: Logger) {
        CurlTransferLoop.initializeLibrary
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        self.configuration = configuration
        self.logger = logger
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxIdleConnections)
        let thread = Thread { [self] in run() }
        thread.name = "lifeline.http"
        thread.start()
    }

    /// libcurl's global state, set up once before the first multi handle.
    private static let initializeLibrary: Void = {
        _ = curl_global_init(ccurl_global_default)
    }()

    /// Queues a transfer; returns its id for `cancel(_:)`, or nil when the loop is closed.
    func submit(
        _ request: HTTPRequest,
        completion: @escaping CurlTransfer.Completion
    ) -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return nil }
        let id = nextID
        nextID += 1
        incoming.append(
            CurlTransfer(id: id, request: request, bodyLimit: configuration.maxResponseBodyBytes, completion: completion)
        )
        curl_multi_wakeup(multi)
        return id
    }

    /// Stops a transfer; its caller gets `cancelled`. Does nothing for a finished transfer.
    func cancel(_ id: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        cancelled.insert(id)
        curl_multi_wakeup(multi)
    }

    /// Ends the loop: transfers not yet finished fail with `clientClosed`. Returns at once.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            lock.lock()
            let arrivals = incoming
            let cancellations = cancelled
            let closing = isClosed
            incoming.removeAll()
            cancelled.removeAll()
            lock.unlock()

            for transfer in arrivals { start(transfer) }
            for id in cancellations { stop(id, code: .cancelled) }
            if closing {
                for transfer in arrivals where active[transfer.id] == nil {
                    transfer.complete(.failure(HTTPClientError(code: .clientClosed, requestMayHaveLeft: false)))
                }
                for id in Array(active.keys) { stop(id, code: .clientClosed) }
                break
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()
            curl_multi_poll(multi, nil, 0, Self.pollMilliseconds, nil)
        }
        curl_multi_cleanup(multi)
        logger.trace("HTTP transfer loop stopped")
    }

    private func start(_ transfer: CurlTransfer) {
        do throws(HTTPClientError) {
            let handle = try transfer.makeHandle(configuration: configuration)
            let code = curl_multi_add_handle(multi, handle)
            guard code == CURLM_OK else {
                throw HTTPClientError(
                    code: .transferFailed,
                    requestMayHaveLeft: false,
                    detail: String(cString: curl_multi_strerror(code))
                )
            }
            active[transfer.id] = transfer
        } catch {
            transfer.releaseHandle()
            transfer.complete(.failure(error))
        }
    }

    private func stop(_ id: UInt64, code: HTTPClientError.Code) {
        guard let transfer = active.removeValue(forKey: id) else { return }
        let mayHaveLeft = transfer.requestMayHaveLeft
        if let easy = transfer.easy { curl_multi_remove_handle(multi, easy) }
        transfer.releaseHandle()
        transfer.complete(.failure(HTTPClientError(code: code, requestMayHaveLeft: mayHaveLeft)))
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var idPointer: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &idPointer)
            let id = UInt64(UInt(bitPattern: idPointer))
            guard let transfer = active.removeValue(forKey: id) else {
                curl_multi_remove_handle(multi, easy)
                continue
            }
            let outcome = transfer.outcome(curlCode: result)
            curl_multi_remove_handle(multi, easy)
            transfer.releaseHandle()
            log(outcome, of: transfer.request)
            transfer.complete(outcome)
        }
    }

    private func log(_ outcome: Result<HTTPResponse, HTTPClientError>, of request: HTTPRequest) {
        // The host only: paths can hold account identifiers, and credentials never reach the URL.
        var metadata: Logger.Metadata = [
            "http.method": request.method.rawValue,
            "http.host": URLComponents(string: request.url)?.host ?? "?",
        ]
        switch outcome {
        case .success(let response):
            metadata["http.status"] = "\(response.status)"
            metadata["http.body_bytes"] = "\(response.body.count)"
            logger.debug("HTTP exchange finished", metadata: metadata)
        case .failure(let error):
            metadata["http.error"] = "\(error.code)"
            metadata["http.curl_code"] = error.curlCode.map { "\($0)" } ?? "-"
            metadata["http.detail"] = error.detail
            logger.debug("HTTP exchange failed", metadata: metadata)
        }
    }
}
