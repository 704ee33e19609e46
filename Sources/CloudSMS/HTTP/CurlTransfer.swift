import Foundation
import CCurlShim

/// One request in flight on the transfer loop: its easy handle, the buffers libcurl writes into,
/// and the continuation waiting for the result.
///
/// Only the transfer loop's thread touches an instance after it is submitted; libcurl calls the
/// write and header callbacks on that thread from inside `curl_multi_perform`.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked: handed from the submitting task to the loop thread once, under the loop's lock,
    // and used by that thread alone from then on.
    typealias Completion = @Sendable (Result<HTTPResponse, HTTPClientError>) -> Void

    let id: UInt64
    let request: HTTPRequest
    let bodyLimit: Int
    private var completion: Completion?

    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var body: [UInt8] = []
    private var headers: [HTTPHeader] = []
    private var exceededLimit = false
    /// The proxy the request goes through, set by `makeHandle`; nil connects directly.
    private var effectiveProxy: HTTPProxy?

    init(id: UInt64, request: HTTPRequest, bodyLimit: Int, completion: @escaping Completion) {
        self.id = id
        self.request = request
        self.bodyLimit = bodyLimit
        self.completion = completion
        errorBuffer = .allocate(capacity: Int(ccurl_error_size))
        errorBuffer.initialize(repeating: 0, count: Int(ccurl_error_size))
    }

    deinit {
        releaseHandle()
        errorBuffer.deallocate()
    }

    /// Creates the easy handle and sets every option; returns the handle ready for the multi handle.
    func makeHandle(configuration: HTTPClient.Configuration) throws(HTTPClientError) -> UnsafeMutableRawPointer {
        // Credentials belong in `request.credentials`: a URL can end up in logs and error messages.
        if let components = URLComponents(string: request.url), components.user != nil || components.password != nil {
            throw HTTPClientError(
                code: .invalidRequest,
                requestMayHaveLeft: false,
                detail: "the URL contains a user name or password; pass them as credentials instead"
            )
        }

        let proxy = request.proxy ?? configuration.proxy
        if let proxy, proxy.urlHasUserInfo {
            throw HTTPClientError(
                code: .invalidRequest,
                requestMayHaveLeft: false,
                detail: "the proxy URL \(proxy.redactedURL) contains a user name or password; give the URL without "
                    + "them and pass them as the proxy's credentials (proxy_username and proxy_password_file)"
            )
        }
        effectiveProxy = proxy

        guard let handle = curl_easy_init() else {
            throw HTTPClientError(code: .transferFailed, requestMayHaveLeft: false, detail: "curl_easy_init failed")
        }
        easy = handle

        let options = CurlOptions(handle: handle)
        try options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try options.set(CURLOPT_PRIVATE, pointer: UnsafeMutableRawPointer(bitPattern: UInt(id)))
        try options.set(CURLOPT_URL, string: request.url)
        try options.set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        try options.set(CURLOPT_NOSIGNAL, long: 1)
        try options.set(CURLOPT_FOLLOWLOCATION, long: 0)
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, long: Self.milliseconds(request.connectTimeout))
        try options.set(CURLOPT_TIMEOUT_MS, long: Self.milliseconds(request.timeout))
        try options.set(CURLOPT_USERAGENT, string: configuration.userAgent)

        try setProxy(proxy, options: options)
        if let path = request.caBundlePath ?? configuration.caBundlePath {
            // The file replaces the system's store: without a CA directory, only its CAs are trusted.
            try options.set(CURLOPT_CAINFO, string: path)
            try options.clear(CURLOPT_CAPATH)
        }
        try setCredentials(options: options)
        try setMethodAndBody(options: options)
        try setHeaders(options: options)
        try setCallbacks(options: options)
        return handle
    }

    private func setProxy(_ proxy: HTTPProxy?, options: CurlOptions) throws(HTTPClientError) {
        // Empty strings turn off the proxy environment variables, so only the config decides:
        // libcurl reads no_proxy from the environment whenever CURLOPT_NOPROXY is unset.
        try options.set(CURLOPT_PROXY, string: proxy?.url ?? "")
        try options.set(CURLOPT_NOPROXY, string: proxy?.noProxy.joined(separator: ",") ?? "")
        guard let credentials = proxy?.credentials else { return }
        try options.set(CURLOPT_PROXYUSERNAME, string: credentials.username)
        try options.set(CURLOPT_PROXYPASSWORD, string: credentials.password)
    }

    private func setCredentials(options: CurlOptions) throws(HTTPClientError) {
        guard let credentials = request.credentials else { return }
        try options.set(CURLOPT_HTTPAUTH, long: ccurl_auth_basic)
        try options.set(CURLOPT_USERNAME, string: credentials.username)
        try options.set(CURLOPT_PASSWORD, string: credentials.password)
    }

    private func setMethodAndBody(options: CurlOptions) throws(HTTPClientError) {
        switch request.method {
        case .get:
            try options.set(CURLOPT_HTTPGET, long: 1)
        case .post:
            try options.set(CURLOPT_POST, long: 1)
            try options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(request.body.count))
            // COPYPOSTFIELDS copies the bytes, so the request's array need not outlive this call.
            let code = request.body.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    ccurl_easy_setopt_pointer(
                        options.handle,
                        CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: chars.baseAddress ?? UnsafePointer(bitPattern: 1))
                    )
                }
            }
            try options.check(code, option: "CURLOPT_COPYPOSTFIELDS")
        }
    }

    private func setHeaders(options: CurlOptions) throws(HTTPClientError) {
        // "Expect:" with no value stops libcurl waiting for 100 Continue before larger bodies.
        var lines = ["Expect:"]
        for header in request.headers {
            guard !header.name.contains(where: { $0 == ":" || $0.isNewline }), !header.value.contains(where: \.isNewline)
            else {
                throw HTTPClientError(code: .invalidRequest, requestMayHaveLeft: false, detail: "malformed header field")
            }
            lines.append("\(header.name): \(header.value)")
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError(code: .transferFailed, requestMayHaveLeft: false, detail: "curl_slist_append failed")
            }
            headerList = appended
        }
        try options.set(CURLOPT_HTTPHEADER, list: headerList)
    }

    private func setCallbacks(options: CurlOptions) throws(HTTPClientError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try options.set(CURLOPT_WRITEFUNCTION, callback: { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        try options.set(CURLOPT_WRITEDATA, pointer: context)
        try options.set(CURLOPT_HEADERFUNCTION, callback: { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        try options.set(CURLOPT_HEADERDATA, pointer: context)
    }

    /// Appends body bytes; returning less than given makes libcurl stop with `CURLE_WRITE_ERROR`.
    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard body.count + bytes.count <= bodyLimit else {
            exceededLimit = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new status line: whatever came before belonged to an interim response.
            headers.removeAll()
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append(HTTPHeader(name: name, value: value))
        }
        return bytes.count
    }

    /// Turns libcurl's result into a response or a classified error.
    func outcome(curlCode: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        let status = info(long: CURLINFO_RESPONSE_CODE)
        let mayHaveLeft = requestMayHaveLeft
        if curlCode == CURLE_OK {
            return .success(HTTPResponse(status: status, headers: headers, body: body))
        }
        if curlCode == CURLE_WRITE_ERROR, exceededLimit {
            let code = HTTPClientError.Code.bodyTooLarge(status: status, limit: bodyLimit)
            return .failure(HTTPClientError(code: code, requestMayHaveLeft: true, curlCode: Int32(curlCode.rawValue)))
        }
        if let refusal = tunnelRefusal(curlCode: curlCode) {
            return .failure(refusal)
        }
        let text = String(cString: errorBuffer)
        let detail = text.isEmpty ? String(cString: curl_easy_strerror(curlCode)) : text
        let code = Self.errorCode(for: curlCode, requestMayHaveLeft: mayHaveLeft)
        return .failure(
            HTTPClientError(code: code, requestMayHaveLeft: mayHaveLeft, curlCode: Int32(curlCode.rawValue), detail: detail)
        )
    }

    /// Returns a `proxyFailure` when the proxy responded to `CONNECT` with a status other than 2xx.
    ///
    /// Then nothing reached the provider. libcurl reports this as a receive error (`CURLE_RECV_ERROR`),
    /// so the `CONNECT` status (`CURLINFO_HTTP_CONNECTCODE`) tells it apart from a connection lost later.
    private func tunnelRefusal(curlCode: CURLcode) -> HTTPClientError? {
        let status = info(long: CURLINFO_HTTP_CONNECTCODE)
        guard status != 0, !(200..<300).contains(status), let effectiveProxy else { return nil }
        let components = URLComponents(string: request.url)
        let host = components?.host ?? "?"
        let port = components?.port ?? (components?.scheme?.lowercased() == "https" ? 443 : 80)
        let target = "\(host):\(port)"
        let fix =
            status == 407
            ? "the proxy expects other credentials: set proxy_username and proxy_password_file to an account it accepts"
            : "ask the proxy's administrators to allow CONNECT to \(target), or list the host in no_proxy "
                + "if it is reachable without the proxy"
        return HTTPClientError(
            code: .proxyFailure,
            requestMayHaveLeft: false,
            curlCode: Int32(curlCode.rawValue),
            detail: "the proxy \(effectiveProxy.redactedURL) rejected the tunnel to \(target) with HTTP \(status); \(fix)"
        )
    }

    /// Whether the request may have reached the server: the connection was ready for the transfer,
    /// or request bytes were written. A reused connection can report a pretransfer time of zero,
    /// so the byte counts are checked too.
    var requestMayHaveLeft: Bool {
        guard easy != nil else { return false }
        return info(offset: CURLINFO_PRETRANSFER_TIME_T) > 0 || info(long: CURLINFO_REQUEST_SIZE) > 0
            || info(offset: CURLINFO_SIZE_UPLOAD_T) > 0
    }

    /// Classifies a libcurl result code given as its raw value, so tests need not import libcurl.
    static func errorCode(forRawCode raw: Int32, requestMayHaveLeft: Bool) -> HTTPClientError.Code {
        errorCode(for: CURLcode(UInt32(bitPattern: raw)), requestMayHaveLeft: requestMayHaveLeft)
    }

    static func errorCode(for curlCode: CURLcode, requestMayHaveLeft: Bool) -> HTTPClientError.Code {
        switch curlCode {
        case CURLE_COULDNT_RESOLVE_HOST:
            return .dnsFailure
        case CURLE_COULDNT_CONNECT:
            return .connectionRefused
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
            return .proxyFailure
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT:
            return .tlsFailure
        case CURLE_OPERATION_TIMEDOUT:
            return requestMayHaveLeft ? .timeoutAfterSend : .connectTimeout
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION,
            CURLE_LOGIN_DENIED:
            return .invalidRequest
        default:
            return .transferFailed
        }
    }

    /// Resumes the waiting caller; later calls do nothing.
    func complete(_ result: Result<HTTPResponse, HTTPClientError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }

    /// Frees the easy handle and the header list; call after removing the handle from the multi handle.
    func releaseHandle() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    private func info(long: CURLINFO) -> Int {
        guard let easy else { return 0 }
        var value = 0
        return ccurl_easy_getinfo_long(easy, long, &value) == CURLE_OK ? value : 0
    }

    private func info(offset: CURLINFO) -> Int64 {
        guard let easy else { return 0 }
        var value: curl_off_t = 0
        return ccurl_easy_getinfo_off_t(easy, offset, &value) == CURLE_OK ? Int64(value) : 0
    }

    /// libcurl reads 0 as "no timeout", so anything shorter than a millisecond becomes 1 ms.
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(1, Int(clamping: total))
    }
}
