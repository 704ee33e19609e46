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
    /// With an `idempotency_key`, message `i` carries the key `<key>#<i>`. A repeat returns 200
    /// with the first broadcast. The store cannot look a key up without inserting, so the repeat
    /// leaves an empty broadcast row behind, marked cancelled.
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

        let submissions = try check(recipients, text: text, priority: priority, key: key)
        let now = clock.now()
        let result = try await store.createBroadcast(name: name, text: text, submissions: submissions, now: now)
        if let first = result.messageIDs.first, let record = try await store.message(first),
            let original = record.broadcastID, original != result.broadcastID
        {
            _ = try await store.cancelBroadcast(
                result.broadcastID,
                reason: "repeat of broadcast \(original) with the same idempotency key",
                now: now
            )
            guard let existing = try await store.broadcast(original) else {
                throw APIError(.broadcastNotFound, "no broadcast has id \(original)")
            }
            return JSONResponse.make(status: 200, APIBodies.Broadcast(existing, messageIDs: result.messageIDs))
        }
        context.wakeDispatcher()
        logger.debug(
            "Queued broadcast",
            metadata: [
                "broadcast.id": "\(result.broadcastID)", "broadcast.count": "\(submissions.count)",
                "message.priority": priority.rawValue,
            ]
        )
        guard let record = try await store.broadcast(result.broadcastID) else {
            throw APIError(.internalError, "the broadcast was queued but could not be read back")
        }
        return JSONResponse.make(status: 201, APIBodies.Broadcast(record, messageIDs: result.messageIDs))
    }

    /// Runs intake on every recipient and collects every bad number before failing. A text that
    /// cannot be sent fails at once, since it fails for every recipient.
    private func check(
        _ recipients: [String],
        text: String,
        priority: Priority,
        key: String?
    ) throws(APIError) -> [Submission] {
        var submissions: [Submission] = []
        var rejected: [APIError.RejectedRecipient] = []
        for (index, raw) in recipients.enumerated() {
            do {
                let checked = try intake.check(
                    recipient: raw,
                    text: text,
                    priority: priority,
                    idempotencyKey: key.map { "\($0)#\(index)" }
                )
                submissions.append(checked.submission)
            } catch {
                guard case .invalidNumber = error else { throw error.apiError }
                rejected.append(APIError.RejectedRecipient(index: index, value: raw, reason: error.recipientReason))
            }
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

    /// `GET /v1/broadcasts?limit=`: the newest broadcasts with their counts (default 50).
    func listBroadcasts(_ request: HTTPRequest) async throws -> HTTPResponse {
        let limit = try limit(request)
        let records = try await store.broadcasts(limit: limit)
        return JSONResponse.make(
            status: 200,
            APIBodies.BroadcastList(broadcasts: records.map { APIBodies.Broadcast($0) })
        )
    }

    /// `GET /v1/broadcasts/{id}`: the broadcast with a count for every state.
    func broadcast(_ match: APIRouter.Match) async throws -> HTTPResponse {
        let id = try identifier(match, notFound: .broadcastNotFound, noun: "broadcast")
        guard let record = try await store.broadcast(id) else {
            throw APIError(.broadcastNotFound, "no broadcast has id \(id)")
        }
        return JSONResponse.make(status: 200, APIBodies.Broadcast(record))
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
