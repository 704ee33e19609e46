import CCurlShim

/// Typed `curl_easy_setopt` calls on one easy handle, each turning a failure into an `HTTPClientError`.
struct CurlOptions {
    let handle: UnsafeMutableRawPointer

    func set(_ option: CURLoption, long value: Int) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_long(handle, option, value), option: "\(option.rawValue)")
    }

    func set(_ option: CURLoption, string value: String) throws(HTTPClientError) {
        // libcurl copies string options, so the temporary C string may go away after the call.
        try check(ccurl_easy_setopt_string(handle, option, value), option: "\(option.rawValue)")
    }

    /// Sets a string option to NULL, which turns off its default (`CURLOPT_CAPATH`).
    func clear(_ option: CURLoption) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_string(handle, option, nil), option: "\(option.rawValue)")
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_pointer(handle, option, value), option: "\(option.rawValue)")
    }

    func set(_ option: CURLoption, offset value: curl_off_t) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_off_t(handle, option, value), option: "\(option.rawValue)")
    }

    func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_slist(handle, option, value), option: "\(option.rawValue)")
    }

    func set(_ option: CURLoption, callback value: curl_write_callback) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_write_callback(handle, option, value), option: "\(option.rawValue)")
    }

    func check(_ code: CURLcode, option: String) throws(HTTPClientError) {
        guard code != CURLE_OK else { return }
        throw HTTPClientError(
            code: .invalidRequest,
            requestMayHaveLeft: false,
            curlCode: Int32(code.rawValue),
            detail: "option \(option): \(String(cString: curl_easy_strerror(code)))"
        )
    }
}
