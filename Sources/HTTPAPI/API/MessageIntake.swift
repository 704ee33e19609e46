import Config
import SMSCodec
import Store

/// Validates and normalises one message before it is queued: the number to E.164 with the
/// config's default region, a non-empty text that fits in the configured number of segments.
///
/// The same rules as the command line's intake, so a message the API accepts is one the CLI
/// would accept. Nothing is stored here; the plan tells the caller the encoding and cost.
struct MessageIntake: Sendable {
    /// Why one message was rejected; `field` names the request field at fault.
    struct Rejection: Error, Sendable, Equatable {
        var code: APIError.Code
        var field: String
        var reason: String
    }

    /// A submission ready for the store and the segment plan of its text.
    struct Checked: Sendable {
        var submission: Submission
        var plan: SegmentPlan
    }

    let defaultRegion: String?
    let maxSegments: Int

    init(config: LifelineConfig) {
        defaultRegion = config.defaultRegion
        maxSegments = config.queue.maxSegments
    }

    /// Normalises the recipient only.
    func normalise(recipient raw: String) throws(Rejection) -> String {
        do {
            return try PhoneNumber.normalise(raw, defaultRegionCode: defaultRegion).e164
        } catch {
            throw Rejection(code: .invalidRecipient, field: "to", reason: error.description)
        }
    }

    /// Plans the text's segments.
    func plan(text: String) throws(Rejection) -> SegmentPlan {
        guard !text.allSatisfy({ $0.isWhitespace }) else {
            throw Rejection(code: .invalidValue, field: "text", reason: "the message text is empty: give the text to send")
        }
        do {
            return try SegmentPlanner.plan(text, options: SegmentPlanner.Options(maximumSegments: maxSegments))
        } catch {
            throw Rejection(code: .textNotSendable, field: "text", reason: "the message text cannot be sent: \(error)")
        }
    }

    /// Checks one message.
    func check(recipient: String, text: String, priority: Priority, idempotencyKey: String?) throws(Rejection) -> Checked {
        let number = try normalise(recipient: recipient)
        let plan = try plan(text: text)
        let submission = Submission(recipient: number, text: text, priority: priority, idempotencyKey: idempotencyKey)
        return Checked(submission: submission, plan: plan)
    }
}
