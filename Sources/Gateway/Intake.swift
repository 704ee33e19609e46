import Config
import Foundation
import SMSCodec
import Store

/// Validates and normalises a message before it is queued, shared by the CLI and the API.
///
/// The number is normalised to E.164 with the config's default region, the text must be
/// non-empty and fit in the configured maximum of segments. The segment plan is returned so the
/// caller can tell the sender what the message will cost before it is committed.
public struct Intake: Sendable {
    public var defaultRegion: String?
    public var maxSegments: Int

    public init(defaultRegion: String?, maxSegments: Int) {
        self.defaultRegion = defaultRegion
        self.maxSegments = maxSegments
    }

    public init(config: LifelineConfig) {
        self.init(defaultRegion: config.defaultRegion, maxSegments: config.queue.maxSegments)
    }

    /// A checked submission and its segment plan.
    public struct Checked: Sendable {
        public var submission: Submission
        public var plan: SegmentPlan
    }

    public func check(
        recipient raw: String,
        text: String,
        priority: Priority = .normal,
        idempotencyKey: String? = nil,
        expiresAt: Date? = nil
    ) throws(IntakeError) -> Checked {
        let number: PhoneNumber
        do {
            number = try PhoneNumber.normalise(raw, defaultRegionCode: defaultRegion)
        } catch {
            throw .invalidNumber(raw, error)
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .emptyText }
        let plan: SegmentPlan
        do {
            plan = try SegmentPlanner.plan(text, options: SegmentPlanner.Options(maximumSegments: maxSegments))
        } catch {
            throw .textNotSendable(error)
        }
        let submission = Submission(
            recipient: number.e164,
            text: text,
            priority: priority,
            idempotencyKey: idempotencyKey,
            expiresAt: expiresAt
        )
        return Checked(submission: submission, plan: plan)
    }
}

/// Why intake rejected a message. Nothing is queued when intake throws.
public enum IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidNumber(String, PhoneNumberError)
    case emptyText
    case textNotSendable(SegmentPlanner.PlanningError)

    public var description: String {
        switch self {
        case .invalidNumber(let raw, let error):
            "invalid phone number '\(raw)': \(error)"
        case .emptyText:
            "the message text is empty: give the text to send"
        case .textNotSendable(let error):
            "the message text cannot be sent: \(error)"
        }
    }
}
