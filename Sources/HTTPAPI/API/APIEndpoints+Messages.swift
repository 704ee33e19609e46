import Diagnostics
import Foundation
import Gateway
import Store

extension APIEndpoints {
    /// `POST /v1/messages`: checks, queues and wakes the dispatcher.
    ///
    /// 201 for a new message; 200 with the first message when its `idempotency_key` was seen
    /// before (the repeat's body is not compared with the first one's).
    func submitMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let reader = try JSONObjectReader(
            body: request.body,
            allowedKeys: ["to", "text", "priority", "idempotency_key"]
        )
        let recipient = try reader.string("to")
        let text = try reader.string("text")
        let priority = try Self.priority(try reader.optionalString("priority"))
        let key = try Self.idempotencyKey(try reader.optionalString("idempotency_key"))
        let checked: Intake.Checked
        do {
            checked = try intake.check(recipient: recipient, text: text, priority: priority, idempotencyKey: key)
        } catch {
            throw error.apiError
        }

        let now = clock.now()
        let ids = try await store.enqueue([checked.submission], now: now)
        guard let id = ids.first, let record = try await store.message(id) else {
            throw APIError(.internalError, "the message was queued but could not be read back")
        }
        let created = SubmissionClock.sameMillisecond(record.createdAt, now)
        if created { context.wakeDispatcher() }
        logger.debug(
            created ? "Queued message" : "Repeated message submission",
            metadata: [
                "message.id": "\(id)", "message.priority": priority.rawValue,
                "message.recipient": redactedPhoneNumber(record.recipient),
            ]
        )
        let body = APIBodies.AcceptedMessage(
            id: record.id,
            recipient: record.recipient,
            state: record.state,
            priority: record.priority,
            encoding: checked.plan.encoding.rawValue,
            segments: checked.plan.segments.count
        )
        return JSONResponse.make(status: created ? 201 : 200, body)
    }

    /// `GET /v1/messages?limit=`: the newest messages first (default 50, at most 500).
    func listMessages(_ request: HTTPRequest) async throws -> HTTPResponse {
        let limit = try limit(request)
        let records = try await store.messages(limit: limit)
        return JSONResponse.make(
            status: 200,
            APIBodies.MessageList(messages: records.map(APIBodies.MessageSummary.init))
        )
    }

    /// `GET /v1/messages/{id}`: the message with its attempts and events.
    func message(_ match: APIRouter.Match) async throws -> HTTPResponse {
        let id = try identifier(match, notFound: .messageNotFound, noun: "message")
        guard let record = try await store.message(id) else {
            throw APIError(.messageNotFound, "no message has id \(id)")
        }
        let attempts = try await store.attempts(for: id)
        let events = try await store.events(for: id)
        let body = APIBodies.MessageDetail(
            message: APIBodies.MessageSummary(record),
            attempts: attempts.map(APIBodies.Attempt.init),
            events: events.map(APIBodies.Event.init)
        )
        return JSONResponse.make(status: 200, body)
    }

    /// `POST /v1/messages/{id}/cancel`: cancels a queued message; 409 once it is in flight or done.
    func cancelMessage(_ match: APIRouter.Match) async throws -> HTTPResponse {
        let id = try identifier(match, notFound: .messageNotFound, noun: "message")
        let cancelled: Bool
        do {
            cancelled = try await store.cancelMessage(id, now: clock.now())
        } catch StoreError.messageNotFound {
            throw APIError(.messageNotFound, "no message has id \(id)")
        }
        guard cancelled else {
            let state = try await store.message(id)?.state.rawValue ?? "gone"
            throw APIError(.notCancellable, "message \(id) is \(state); only queued messages can be cancelled")
        }
        logger.debug("Cancelled message", metadata: ["message.id": "\(id)"])
        return JSONResponse.make(status: 200, APIBodies.CancelledMessage(id: id, state: .cancelled))
    }
}
