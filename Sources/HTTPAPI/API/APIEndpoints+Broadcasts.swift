import Diagnostics
import Foundation
import Gateway
import Store

extension APIEndpoints {
    /// The maximum number of recipients in one broadcast.
    static let maxBroadcastRecipients = 10_000

    /// `POST /v1/broadcasts`: checks every number first; one bad entry rejects the whole request
    /// with the list of bad entries. Otherwise the broadcast and its messages commit in one
    /// transaction.
    ///
    /// A number listed twice (after normalisation) is a bad entry, as on the command line. The
    /// `idempotency_key` names the whole broadcast: a repeat returns 200 with the first broadcast
    /// without checking the request again, even if its list differs.
    func submitBroadcast(_ request: HTTPRequest) async throws -> HTTPResponse {
        let reader = try JSONObjectReader(
            body: request.body,
            allowedKeys: ["to", "text", "priority", "idempotency_key", "name"]
        )
        let recipients = try reader.stringArray("to")
        let text = try reader.string("text")
        let priority = try Self.priority(try reader.optionalString("priority"))
        let key = try Self.idempotencyKey(try reader.optionalString("idempotency_key"))
        let name = try reader.optionalString("name")
        guard (1...Self.maxBroadcastRecipients).contains(recipients.count) else {
            throw APIError(.invalidValue, "to must list 1 to \(Self.maxBroadcastRecipients) numbers", field: "to")
        }
        if let key, let existing = try await store.broadcastID(idempotencyKey: key) {
            return try await replay(existing)
        }

        let submissions = try check(recipients, text: text, priority: priority)
        let creation = try await store.createBroadcast(
            name: name,
            text: text,
            submissions: submissions,
            idempotencyKey: key,
            now: clock.now()
        )
        // Another request with the same key committed between the look-up and this transaction.
        if creation.isReplay { return try await replay(creation.broadcastID) }
        context.wakeDispatcher()
        logger.debug(
            "Queued broadcast",
            metadata: [
                "broadcast.id": "\(creation.broadcastID)", "broadcast.count": "\(submissions.count)",
                "message.priority": priority.rawValue,
            ]
        )
        guard let record = try await store.broadcast(creation.broadcastID) else {
            throw APIError(.internalError, "the broadcast was queued but could not be read back")
        }
        return JSONResponse.make(status: 201, APIBodies.Broadcast(record, messageIDs: creation.messageIDs))
    }

    /// Returns 200 with the broadcast an earlier request created under the same key.
    private func replay(_ id: Int64) async throws -> HTTPResponse {
        guard let record = try await store.broadcast(id) else {
            throw APIError(.broadcastNotFound, "no broadcast has id \(id)")
        }
        let messageIDs = try await store.messages(inBroadcast: id).map(\.id)
        logger.debug("Repeated broadcast submission", metadata: ["broadcast.id": "\(id)"])
        return JSONResponse.make(status: 200, APIBodies.Broadcast(record, messageIDs: messageIDs))
    }

    /// Runs intake on every recipient and collects every bad or repeated number before failing.
    /// A text that cannot be sent fails at once, since it fails for every recipient.
    private func check(_ recipients: [String], text: String, priority: Priority) throws(APIError) -> [Submission] {
        var submissions: [Submission] = []
        var rejected: [APIError.RejectedRecipient] = []
        var firstIndex: [String: Int] = [:]
        submissions.reserveCapacity(recipients.count)
        for (index, raw) in recipients.enumerated() {
            let checked: Intake.Checked
            do {
                checked = try intake.check(recipient: raw, text: text, priority: priority)
            } catch {
                guard case .invalidNumber = error else { throw error.apiError }
                rejected.append(APIError.RejectedRecipient(index: index, value: raw, reason: error.recipientReason))
                continue
            }
            let number = checked.submission.recipient
            if let first = firstIndex[number] {
                let reason = "\(number) is listed twice: first at index \(first)"
                rejected.append(APIError.RejectedRecipient(index: index, value: raw, reason: reason))
                continue
            }
            firstIndex[number] = index
            submissions.append(checked.submission)
        }
        guard rejected.isEmpty else {
            var error = APIError(
                .invalidRecipients,
                "\(rejected.count) of \(recipients.count) numbers are not valid; nothing was queued",
                field: "to"
            )
            error.rejected = rejected
            throw error
        }
        return submissions
    }

    /// `GET /v1/broadcasts?limit=`: the newest broadcasts with their counts (default 50) and,
    /// for those still sending, the estimate of time left.
    func listBroadcasts(_ request: HTTPRequest) async throws -> HTTPResponse {
        let limit = try limit(request)
        let records = try await store.broadcasts(limit: limit)
        return JSONResponse.make(
            status: 200,
            APIBodies.BroadcastList(broadcasts: records.map { broadcastBody($0) })
        )
    }

    /// `GET /v1/broadcasts/{id}`: the broadcast with a count for every state, its recent send
    /// rate and its estimated time left.
    func broadcast(_ match: APIRouter.Match) async throws -> HTTPResponse {
        let id = try identifier(match, notFound: .broadcastNotFound, noun: "broadcast")
        guard let record = try await store.broadcast(id) else {
            throw APIError(.broadcastNotFound, "no broadcast has id \(id)")
        }
        return JSONResponse.make(status: 200, broadcastBody(record))
    }

    /// Builds a broadcast's body with its estimate. A broadcast with nothing left to send shows
    /// 0 seconds left and a cancelled one no estimate. Neither is recorded in the rate tracker,
    /// so reading old broadcasts does not push the live ones out of it.
    func broadcastBody(_ record: BroadcastRecord) -> APIBodies.Broadcast {
        guard record.cancelledAt == nil else { return APIBodies.Broadcast(record) }
        guard BroadcastRateEstimator.remaining(record) > 0 else {
            let done = BroadcastRateEstimator.Estimate(remaining: 0, ratePerSecond: nil, secondsLeft: 0)
            return APIBodies.Broadcast(record, estimate: done)
        }
        return APIBodies.Broadcast(record, estimate: rates.estimate(for: record, now: Date()))
    }

    /// `POST /v1/broadcasts/{id}/cancel`: cancels the broadcast's queued messages; messages in
    /// flight or finished are left as they are.
    func cancelBroadcast(_ match: APIRouter.Match) async throws -> HTTPResponse {
        let id = try identifier(match, notFound: .broadcastNotFound, noun: "broadcast")
        let cancelled: [MessageID]
        do {
            cancelled = try await store.cancelBroadcast(id, now: clock.now())
        } catch StoreError.broadcastNotFound {
            throw APIError(.broadcastNotFound, "no broadcast has id \(id)")
        }
        guard let record = try await store.broadcast(id) else {
            throw APIError(.broadcastNotFound, "no broadcast has id \(id)")
        }
        logger.debug(
            "Cancelled broadcast",
            metadata: ["broadcast.id": "\(id)", "broadcast.cancelled": "\(cancelled.count)"]
        )
        return JSONResponse.make(status: 200, APIBodies.Broadcast(record, cancelled: cancelled.count))
    }
}
