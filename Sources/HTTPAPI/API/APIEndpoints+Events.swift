import Foundation
import Store

extension APIEndpoints {
    /// `GET /v1/events`: server-sent events, one `snapshot` event a second while the client stays.
    ///
    /// Each snapshot is the status page's data (`StatusSnapshot`). At most `EventStreamHub.maxStreams`
    /// clients at once; one more gets 503 `too_many_streams`. The stream ends when the client
    /// leaves or the server stops.
    func eventStream() async throws -> HTTPResponse {
        guard let stream = await events.open() else {
            throw APIError(.tooManyStreams, "too many event streams are open; close one and retry")
        }
        let endpoints = self
        let producer = Task {
            while !stream.isFinished {
                do {
                    let snapshot = try await endpoints.snapshot()
                    let json = String(decoding: try JSONResponse.encode(snapshot), as: UTF8.self)
                    stream.send(Array("event: snapshot\ndata: \(json)\n\n".utf8))
                } catch {
                    stream.send(Array("event: failure\ndata: {\"message\":\"the status could not be read\"}\n\n".utf8))
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        stream.onFinish { producer.cancel() }
        return HTTPResponse(
            status: 200,
            headers: [
                HTTPField(name: "Content-Type", value: "text/event-stream"),
                HTTPField(name: "Cache-Control", value: "no-store"),
                HTTPField(name: "X-Accel-Buffering", value: "no"),
            ],
            body: .stream(stream)
        )
    }

    /// Reads the status page's data: providers, queue depth, recent failures, broadcasts in progress.
    func snapshot() async throws -> StatusSnapshot {
        let providers = await context.providers().map { provider($0) }
        let depth = try await store.queueDepth()
        let recent = try await store.messages(limit: 200)
        let failures = recent.filter { $0.state == .failed || $0.state == .undelivered || $0.state == .unknown }
            .prefix(20)
            .map {
                StatusSnapshot.Failure(
                    id: $0.id,
                    state: $0.state,
                    provider: $0.providerID,
                    reason: $0.lastReason,
                    updatedAt: $0.updatedAt
                )
            }
        let broadcasts = try await store.broadcasts(limit: 20).filter { record in
            record.cancelledAt == nil
                && ((record.countsByState[.queued] ?? 0) > 0 || (record.countsByState[.sending] ?? 0) > 0
                    || (record.countsByState[.sent] ?? 0) > 0)
        }
        return StatusSnapshot(
            generatedAt: Date(),
            providers: providers,
            queue: APIBodies.Queue(depth),
            recentFailures: Array(failures),
            broadcasts: broadcasts.map { broadcastBody($0) }
        )
    }
}

/// One status snapshot, as `GET /v1/events` sends it.
struct StatusSnapshot: Encodable {
    /// A failed, undelivered or unknown message with its latest reason; no number, no text.
    struct Failure: Encodable {
        var id: MessageID
        var state: MessageState
        var provider: String?
        var reason: String?
        var updatedAt: Date
    }

    var generatedAt: Date
    var providers: [APIEndpoints.ProviderBody]
    var queue: APIBodies.Queue
    var recentFailures: [Failure]
    /// Broadcasts not cancelled that still have messages queued, sending or awaiting a receipt.
    var broadcasts: [APIBodies.Broadcast]
}
