import Foundation
import Store

/// The JSON bodies of the API's responses, encoded with snake_case keys.
enum APIBodies {
    /// The response body of `POST /v1/messages`.
    struct AcceptedMessage: Encodable {
        var id: MessageID
        var recipient: String
        var state: MessageState
        var priority: Priority
        var encoding: String
        var segments: Int
    }

    /// A message in a list.
    struct MessageSummary: Encodable {
        var id: MessageID
        var recipient: String
        var text: String
        var state: MessageState
        var priority: Priority
        var provider: String?
        var providerMessageId: String?
        var attemptCount: Int
        var createdAt: Date
        var updatedAt: Date
        var expiresAt: Date?
        var lastReason: String?
        var broadcastId: Int64?

        init(_ record: MessageRecord) {
            id = record.id
            recipient = record.recipient
            text = record.text
            state = record.state
            priority = record.priority
            provider = record.providerID
            providerMessageId = record.providerMessageID
            attemptCount = record.attempts
            createdAt = record.createdAt
            updatedAt = record.updatedAt
            expiresAt = record.expiresAt
            lastReason = record.lastReason
            broadcastId = record.broadcastID
        }
    }

    struct MessageList: Encodable {
        var messages: [MessageSummary]
    }

    /// One message with its attempts and events.
    struct MessageDetail: Encodable {
        var message: MessageSummary
        var attempts: [Attempt]
        var events: [Event]
    }

    struct Attempt: Encodable {
        var id: AttemptID
        var provider: String
        var startedAt: Date
        var finishedAt: Date?
        var outcome: AttemptOutcome?
        var providerMessageId: String?
        var detail: String?

        init(_ record: AttemptRecord) {
            id = record.id
            provider = record.providerID
            startedAt = record.startedAt
            finishedAt = record.finishedAt
            outcome = record.outcome
            providerMessageId = record.providerMessageID
            detail = record.detail
        }
    }

    struct Event: Encodable {
        var at: Date
        var state: MessageState
        var provider: String?
        var reason: String?

        init(_ event: MessageEvent) {
            at = event.at
            state = event.state
            provider = event.providerID
            reason = event.reason
        }
    }

    struct CancelledMessage: Encodable {
        var id: MessageID
        var state: MessageState
    }

    /// A broadcast with a count for every state.
    struct Broadcast: Encodable {
        var id: Int64
        var name: String?
        var text: String
        var createdAt: Date
        var cancelledAt: Date?
        var total: Int
        var counts: [String: Int]
        /// The message ids in recipient order; only in the response to `POST /v1/broadcasts`.
        var messageIds: [MessageID]?
        /// Messages cancelled by this call; only in the response to a cancel.
        var cancelled: Int?
        /// Seconds until no message is left queued or sending, rounded up, at the recent send
        /// rate (`BroadcastRateEstimator`). It is 0 when nothing is left, and absent while the
        /// rate is unknown or zero, for a cancelled broadcast, and in submit and cancel responses.
        var estimatedSecondsLeft: Int?
        /// Messages per second that recently left the queue, to two decimals; absent before the
        /// rate can be measured.
        var sendRatePerSecond: Double?

        init(
            _ record: BroadcastRecord,
            messageIDs: [MessageID]? = nil,
            cancelled: Int? = nil,
            estimate: BroadcastRateEstimator.Estimate? = nil
        ) {
            id = record.id
            name = record.name
            text = record.text
            createdAt = record.createdAt
            cancelledAt = record.cancelledAt
            total = record.total
            var counts: [String: Int] = [:]
            for state in MessageState.allCases { counts[state.rawValue] = record.countsByState[state] ?? 0 }
            self.counts = counts
            messageIds = messageIDs
            self.cancelled = cancelled
            estimatedSecondsLeft = estimate?.secondsLeft.map { Int($0.rounded(.up)) }
            sendRatePerSecond = estimate?.ratePerSecond.map { ($0 * 100).rounded() / 100 }
        }
    }

    struct BroadcastList: Encodable {
        var broadcasts: [Broadcast]
    }

    /// Queue depth per priority.
    struct Queue: Encodable {
        var depth: [String: Int]
        var total: Int

        init(_ depth: [Priority: Int]) {
            var byName: [String: Int] = [:]
            for priority in Priority.allCases { byName[priority.rawValue] = depth[priority] ?? 0 }
            self.depth = byName
            total = byName.values.reduce(0, +)
        }
    }

    struct Health: Encodable {
        var status: String
    }
}
