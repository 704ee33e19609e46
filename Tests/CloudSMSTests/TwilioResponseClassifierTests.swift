import Foundation
import Testing

@testable import CloudSMS

@Suite struct TwilioResponseClassifierTests {
    private static func error(_ code: Int, _ status: Int) -> String {
        #"{"code": \#(code), "message": "m", "more_info": "https://www.twilio.com/docs/errors/\#(code)", "status": \#(status)}"#
    }

    /// Each status and body lands in its class, whatever the body holds.
    @Test(arguments: [
        (201, #"{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}"#, "accepted"),
        (200, #"{"sid": "SM0123456789abcdef0123456789abcdef"}"#, "accepted"),
        (200, #"{"status": "queued"}"#, "ambiguous"),
        (201, #"{"sid": ""}"#, "ambiguous"),
        (201, "<html>", "ambiguous"),
        (201, "", "ambiguous"),
        (201, "[1, 2]", "ambiguous"),
        (400, error(21211, 400), "recipientError 21211"),
        (400, error(21614, 400), "recipientError 21614"),
        (400, error(21612, 400), "recipientError 21612"),
        (400, error(21408, 400), "recipientError 21408"),
        (400, error(21610, 400), "recipientError 21610"),
        (400, error(21606, 400), "unavailable"),
        (400, "not json", "unavailable"),
        (401, error(20003, 401), "unavailable"),
        (403, "", "unavailable"),
        (404, error(20404, 404), "unavailable"),
        (400, error(20003, 400), "unavailable"),
        (429, error(20429, 429), "throttled -"),
        (400, error(20429, 400), "throttled -"),
        (500, error(20500, 500), "unavailable"),
        (503, "<html>busy</html>", "unavailable"),
        (302, "", "unavailable"),
    ])
    func classifiesResponse(status: Int, body: String, expected: String) {
        let response = HTTPResponse(status: status, body: Array(body.utf8))
        #expect(TwilioClientTests.summary(TwilioResponseClassifier.classify(response)) == expected)
    }

    /// Retry-After in seconds or as an HTTP date becomes the throttle hint; garbage is ignored.
    @Test(arguments: [
        ("7", 7 as Int64?),
        ("0", 0),
        ("Fri, 04 Dec 2026 17:00:30 GMT", 30),
        ("Fri, 04 Dec 2026 16:00:00 GMT", 0),
        ("soon", nil),
        ("-5", nil),
    ])
    func readsRetryAfter(header: String, seconds: Int64?) {
        let now = Date(timeIntervalSince1970: 1_796_403_600)  // Fri, 04 Dec 2026 17:00:00 GMT
        let response = HTTPResponse(
            status: 429,
            headers: [HTTPHeader(name: "Retry-After", value: header)],
            body: Array(Self.error(20429, 429).utf8)
        )
        guard case .throttled(let retryAfter, _) = TwilioResponseClassifier.classify(response, now: now) else {
            Issue.record("expected throttled")
            return
        }
        #expect(retryAfter?.components.seconds == seconds)
    }

    /// Transport failures keep the HTTP client's classification.
    @Test func classifiesTransportErrors() {
        let refused = HTTPClientError(code: .connectionRefused, requestMayHaveLeft: false)
        let timedOut = HTTPClientError(code: .timeoutAfterSend, requestMayHaveLeft: true)
        let lostEarly = HTTPClientError(code: .connectionLost, requestMayHaveLeft: false)
        let tooLarge = HTTPClientError(code: .bodyTooLarge(status: 500, limit: 10), requestMayHaveLeft: true)
        #expect(TwilioClientTests.summary(TwilioResponseClassifier.classify(refused)) == "unavailable")
        #expect(TwilioClientTests.summary(TwilioResponseClassifier.classify(timedOut)) == "ambiguous")
        #expect(TwilioClientTests.summary(TwilioResponseClassifier.classify(lostEarly)) == "unavailable")
        #expect(TwilioClientTests.summary(TwilioResponseClassifier.classify(tooLarge)) == "unavailable")
    }
}
