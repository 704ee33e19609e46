import Foundation
import Gateway

/// libFuzzer entry point: feeds arbitrary bytes as the JSON body of `POST /v1/messages` or
/// `POST /v1/broadcasts` through the checks those routes make before anything reaches the
/// store: `JSONObjectReader` with the route's keys, `priority`, `idempotencyKey`, the recipient
/// count limit and `Intake.check` for each recipient.
///
/// Input layout: octet 0 bit 0 picks the route (0 messages, 1 broadcasts), and bits 1 to 3 pick
/// the default region (none, GB, US, DE, FR, IN). The rest is the body.
///
/// Properties checked: nothing traps; every rejection is a 4xx whose response body is a JSON
/// object carrying the error's code; an accepted message has an E.164 recipient and 1 to 6 segments.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIRequests(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let regions: [String?] = [nil, "GB", "US", "DE", "FR", "IN"]
    let region = regions[Int(data[0] >> 1) % regions.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let intake = Intake(defaultRegion: region, maxSegments: 6)
    do {
        if data[0] & 1 == 0 {
            try checkMessage(body, intake: intake)
        } else {
            try checkBroadcast(body, intake: intake)
        }
    } catch {
        checkRejection(error)
    }
    return 0
}

/// Runs the checks of `submitMessage` in its order.
private func checkMessage(_ body: [UInt8], intake: Intake) throws(APIError) {
    let reader = try JSONObjectReader(body: body, allowedKeys: ["to", "text", "priority", "idempotency_key"])
    let recipient = try reader.string("to")
    let text = try reader.string("text")
    let priority = try APIEndpoints.priority(try reader.optionalString("priority"))
    let key = try APIEndpoints.idempotencyKey(try reader.optionalString("idempotency_key"))
    let checked: Intake.Checked
    do {
        checked = try intake.check(recipient: recipient, text: text, priority: priority, idempotencyKey: key)
    } catch {
        throw error.apiError
    }
    checkAccepted(checked)
}

/// Runs the checks of `submitBroadcast` in its order, then intake for each recipient.
private func checkBroadcast(_ body: [UInt8], intake: Intake) throws(APIError) {
    let reader = try JSONObjectReader(
        body: body,
        allowedKeys: ["to", "text", "priority", "idempotency_key", "name"]
    )
    let recipients = try reader.stringArray("to")
    let text = try reader.string("text")
    let priority = try APIEndpoints.priority(try reader.optionalString("priority"))
    _ = try APIEndpoints.idempotencyKey(try reader.optionalString("idempotency_key"))
    _ = try reader.optionalString("name")
    guard (1...APIEndpoints.maxBroadcastRecipients).contains(recipients.count) else {
        throw APIError(.invalidValue, "to must list 1 to \(APIEndpoints.maxBroadcastRecipients) numbers", field: "to")
    }
    for raw in recipients {
        do {
            checkAccepted(try intake.check(recipient: raw, text: text, priority: priority))
        } catch {
            _ = error.recipientReason
            checkRejection(error.apiError)
        }
    }
}

private func checkAccepted(_ checked: Intake.Checked) {
    let recipient = checked.submission.recipient
    precondition(recipient.first == "+" && recipient.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }, "not E.164: \(recipient)")
    precondition((1...6).contains(checked.plan.segments.count), "\(checked.plan.segments.count) segments")
}

private func checkRejection(_ error: APIError) {
    precondition((400..<500).contains(error.status), "\(error.code) is status \(error.status)")
    guard case .bytes(let bytes) = error.response.body,
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
        let detail = object["error"] as? [String: Any]
    else {
        preconditionFailure("the error response is not a JSON object with an error")
    }
    precondition(detail["code"] as? String == error.code.rawValue, "the response carries another code")
}
