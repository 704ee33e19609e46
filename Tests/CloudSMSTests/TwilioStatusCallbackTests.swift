import Testing

@testable import CloudSMS

@Suite struct TwilioStatusCallbackTests {
    /// Each MessageStatus maps to pending, delivered or undelivered, with the error code kept.
    @Test(arguments: [
        ("queued", "", CloudDeliveryStatus.pending, "queued"),
        ("sending", "", .pending, "sending"),
        ("sent", "", .pending, "sent"),
        ("delivered", "", .delivered, "delivered"),
        ("undelivered", "30003", .undelivered, "undelivered err:30003"),
        ("failed", "30008", .undelivered, "failed err:30008"),
        ("canceled", "", .undelivered, "canceled"),
        ("partially_delivered", "", .pending, "partially_delivered"),
    ])
    func mapsStatus(status: String, errorCode: String, expected: CloudDeliveryStatus, reason: String) throws {
        let body =
            "SmsSid=SM0123456789abcdef0123456789abcdef&SmsStatus=\(status)&MessageStatus=\(status)"
            + "&To=%2B447700900123&MessageSid=SM0123456789abcdef0123456789abcdef"
            + "&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15005550006&ApiVersion=2010-04-01"
            + (errorCode.isEmpty ? "" : "&ErrorCode=\(errorCode)")
        let callback = try TwilioStatusCallback(formBody: body)
        #expect(callback.messageSID == "SM0123456789abcdef0123456789abcdef")
        #expect(callback.accountSID == "AC0123456789abcdef0123456789abcdef")
        #expect(callback.deliveryStatus == expected)
        #expect(callback.errorCode == (errorCode.isEmpty ? nil : Int(errorCode)))
        #expect(callback.reason == reason)
    }

    /// A callback without MessageSid or MessageStatus, with a non-numeric ErrorCode or broken escapes is refused.
    @Test(arguments: [
        ("MessageStatus=sent", TwilioCallbackError.missingField("MessageSid")),
        ("MessageSid=SM1&MessageStatus=", .missingField("MessageStatus")),
        ("MessageSid=SM1&MessageStatus=failed&ErrorCode=abc", .invalidErrorCode("abc")),
        ("MessageSid=SM1&MessageStatus=sent&To=%2", .malformedBody(.invalidPercentEscape("To=%2"))),
        ("", .missingField("MessageSid")),
    ])
    func rejectsMalformed(body: String, expected: TwilioCallbackError) {
        #expect(throws: expected) { try TwilioStatusCallback(formBody: body) }
    }
}
