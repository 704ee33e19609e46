import Config
import Diagnostics
import Foundation
import SMSCodec
import Store

/// Turns an operator's broadcast request into queued messages: resolves the recipients, renders
/// the text for each, checks every number and text, then queues all of them in one transaction.
///
/// Every recipient is checked before anything is written. One invalid number, missing template
/// variable, duplicate recipient or unsendable text rejects the whole broadcast with
/// `BroadcastIntakeError.problems` listing each one, and nothing is queued. A template's
/// variables come from the contact (its stored variables, `name` and `number`), then the
/// request's `variables`, which win over a contact's value of the same name.
///
/// With an idempotency key the whole broadcast is created once. A repeated request with the same
/// key returns the first broadcast (`isReplay`) without resolving or checking anything again.
/// A retry after a lost response therefore never sends twice, even if the group changed since.
public struct BroadcastIntake: Sendable {
    /// The recipients of a broadcast.
    public enum Audience: Sendable, Equatable {
        /// The members of a contact group, with their stored variables.
        case group(String)
        /// Numbers as typed; each is normalised with the default region.
        case numbers([String])
        /// A CSV contact list on disk, read as `ContactSheet` (its columns become variables).
        case csvFile(path: String)
        /// A CSV contact list already in memory.
        case csv([UInt8])
    }

    /// The text of a broadcast.
    public enum Content: Sendable, Equatable {
        /// The same text for everyone.
        case text(String)
        /// A template from the config's `templates`, rendered per recipient.
        case template(name: String)
    }

    /// One broadcast request.
    public struct Request: Sendable, Equatable {
        public var audience: Audience
        public var content: Content
        /// Values for template variables, for every recipient (`--var KEY=VALUE`).
        public var variables: [String: String]
        public var priority: Priority
        /// Names the request: a second request with the same key returns the first broadcast.
        public var idempotencyKey: String?
        /// The broadcast's label; the template name when `nil` and a template is used.
        public var name: String?

        public init(
            audience: Audience,
            content: Content,
            variables: [String: String] = [:],
            priority: Priority = .normal,
            idempotencyKey: String? = nil,
            name: String? = nil
        ) {
            self.audience = audience
            self.content = content
            self.variables = variables
            self.priority = priority
            self.idempotencyKey = idempotencyKey
            self.name = name
        }
    }

    /// The region code for national-format numbers, such as "GB".
    public var defaultRegion: String?
    /// The maximum number of segments of one message (the config's `queue.max_segments`).
    public var maxSegments: Int
    /// Template texts by name, as in the config.
    public var templates: [String: String]
    let logger: Logger

    public init(defaultRegion: String?, maxSegments: Int, templates: [String: String], logger: Logger = .disabled) {
        self.defaultRegion = defaultRegion
        self.maxSegments = maxSegments
        self.templates = templates
        self.logger = logger
    }

    public init(config: LifelineConfig, logger: Logger = .disabled) {
        self.init(
            defaultRegion: config.defaultRegion,
            maxSegments: config.queue.maxSegments,
            templates: config.templates,
            logger: logger
        )
    }

    /// Checks the request and queues the broadcast in one transaction.
    /// - Throws: `BroadcastIntakeError` when the request or any recipient is rejected (nothing
    ///   queued); `StoreError` when the store fails (nothing queued).
    public func submit(_ request: Request, to store: any QueueDatabase, now: Date) async throws -> Receipt {
        if let key = request.idempotencyKey, let existing = try await store.broadcastID(idempotencyKey: key) {
            return try await replayReceipt(existing, store: store)
        }
        let prepared = try await prepare(request, store: store)
        let creation = try await store.createBroadcast(
            name: prepared.name,
            text: prepared.text,
            submissions: prepared.submissions,
            idempotencyKey: request.idempotencyKey,
            now: now
        )
        // Another process created it between the look-up and the commit.
        if creation.isReplay { return try await replayReceipt(creation.broadcastID, store: store) }
        logger.debug(
            "Queued broadcast",
            metadata: ["broadcast.id": "\(creation.broadcastID)", "broadcast.recipients": "\(creation.messageIDs.count)"]
        )
        return Receipt(broadcastID: creation.broadcastID, summary: prepared.summary, isReplay: false)
    }

    /// Resolves, renders and checks every recipient without writing anything.
    /// - Throws: `BroadcastIntakeError`; `StoreError` when reading a group fails.
    public func prepare(_ request: Request, store: any QueueDatabase) async throws -> Prepared {
        let template = try template(for: request.content)
        let recipients = try await resolve(request.audience, store: store)
        var problems: [Problem] = []
        var submissions: [Submission] = []
        var summary = PlanSummary()
        submissions.reserveCapacity(recipients.count)
        let options = SegmentPlanner.Options(maximumSegments: maxSegments)

        for recipient in recipients {
            switch recipient {
            case .rejected(let problem):
                problems.append(problem)
            case .accepted(let accepted):
                let values = accepted.variables.merging(request.variables) { _, given in given }
                do {
                    let text = try template.render(values, recipient: accepted.label)
                    // Stops at the first visible character: trimming each text took 15% of the CPU time of a
                    // profiled 5,000-message broadcast.
                    guard text.contains(where: { !$0.isWhitespace }) else {
                        problems.append(Problem(recipient: accepted.label, reason: "the message text is empty"))
                        continue
                    }
                    let cost = try Self.cost(of: text, options: options)
                    summary.add(encoding: cost.encoding, segments: cost.segments)
                    submissions.append(Submission(recipient: accepted.number, text: text, priority: request.priority))
                } catch let error as TemplateRenderError {
                    problems.append(Problem(recipient: accepted.label, reason: error.reason))
                } catch {
                    problems.append(Problem(recipient: accepted.label, reason: "the text cannot be sent: \(error)"))
                }
            }
        }
        guard problems.isEmpty else { throw BroadcastIntakeError.problems(problems) }
        guard !submissions.isEmpty else { throw BroadcastIntakeError.noRecipients }
        let name: String? =
            switch request.content {
            case .text: request.name
            case .template(let templateName): request.name ?? templateName
            }
        return Prepared(name: name, text: template.source, submissions: submissions, summary: summary)
    }

    // MARK: Steps

    private func template(for content: Content) throws(BroadcastIntakeError) -> MessageTemplate {
        switch content {
        case .text(let text):
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .emptyText }
            // A plain text is sent as written: braces in it are not variables.
            return MessageTemplate(literal: text)
        case .template(let name):
            guard let source = templates[name] else {
                throw .unknownTemplate(name, known: templates.keys.sorted())
            }
            do {
                return try MessageTemplate(source)
            } catch {
                throw .invalidTemplate(name, error)
            }
        }
    }

    private func resolve(_ audience: Audience, store: any QueueDatabase) async throws -> [ResolvedRecipient] {
        switch audience {
        case .group(let group):
            guard let contacts = try await store.contacts(inGroup: group) else {
                throw BroadcastIntakeError.unknownGroup(group)
            }
            guard !contacts.isEmpty else { throw BroadcastIntakeError.emptyGroup(group) }
            return contacts.map { contact in
                var variables = contact.variables
                variables["number"] = contact.number
                if let name = contact.name { variables["name"] = name }
                let label = contact.name.map { "\($0) (\(contact.number))" } ?? contact.number
                return .accepted(.init(number: contact.number, label: label, variables: variables))
            }
        case .numbers(let numbers):
            guard !numbers.isEmpty else { throw BroadcastIntakeError.noRecipients }
            return resolve(numbers: numbers)
        case .csvFile(let path):
            let bytes: [UInt8]
            do {
                bytes = try await ContactFile.read(path: path)
            } catch {
                throw BroadcastIntakeError.cannotReadFile(path: path, reason: "\(error)")
            }
            return try resolve(csv: bytes)
        case .csv(let bytes):
            return try resolve(csv: bytes)
        }
    }

    private func resolve(numbers: [String]) -> [ResolvedRecipient] {
        var seen: Set<String> = []
        return numbers.map { raw in
            let number: PhoneNumber
            do {
                number = try PhoneNumber.normalise(raw, defaultRegionCode: defaultRegion)
            } catch {
                return .rejected(Problem(recipient: raw, reason: "\(error)"))
            }
            guard seen.insert(number.e164).inserted else {
                return .rejected(Problem(recipient: raw, reason: "\(number.e164) is listed twice"))
            }
            return .accepted(.init(number: number.e164, label: number.e164, variables: ["number": number.e164]))
        }
    }

    private func resolve(csv bytes: [UInt8]) throws(BroadcastIntakeError) -> [ResolvedRecipient] {
        let sheet: ContactSheet
        do {
            sheet = try ContactSheet(csv: bytes, defaultRegion: defaultRegion)
        } catch {
            throw .csv(error)
        }
        let rejected = sheet.rejections.map { rejection in
            ResolvedRecipient.rejected(
                Problem(recipient: rejection.number, line: rejection.line, reason: rejection.reason)
            )
        }
        let accepted = sheet.rows.map { row in
            var variables = row.contact.variables
            variables["number"] = row.contact.number
            if let name = row.contact.name { variables["name"] = name }
            let label = "line \(row.line) (\(row.contact.number))"
            return ResolvedRecipient.accepted(.init(number: row.contact.number, label: label, variables: variables))
        }
        return rejected + accepted
    }

    /// Returns the encoding and segment count of `text`, as `SegmentPlanner.plan` would give them.
    ///
    /// A text that fits one SMS (160 septets, or 70 UTF-16 units in UCS-2) is counted without
    /// building its segments, because the planner sends such a text unsplit. Longer texts go
    /// through the planner, which applies the splitting rules and the segment limit.
    static func cost(
        of text: String,
        options: SegmentPlanner.Options
    ) throws(SegmentPlanner.PlanningError) -> (encoding: SMSEncoding, segments: Int) {
        if let septets = GSMAlphabet.septetCount(of: text) {
            if septets <= SMSEncoding.gsm7.unitsPerSegment(headerLength: 0) { return (.gsm7, 1) }
        } else if text.utf16.count <= SMSEncoding.ucs2.unitsPerSegment(headerLength: 0) {
            return (.ucs2, 1)
        }
        let plan = try SegmentPlanner.plan(text, options: options)
        return (plan.encoding, plan.segments.count)
    }

    private func replayReceipt(_ broadcastID: Int64, store: any QueueDatabase) async throws -> Receipt {
        let messages = try await store.messages(inBroadcast: broadcastID)
        var summary = PlanSummary()
        let options = SegmentPlanner.Options(maximumSegments: 255)
        for message in messages {
            if let cost = try? Self.cost(of: message.text, options: options) {
                summary.add(encoding: cost.encoding, segments: cost.segments)
            }
        }
        logger.debug("Replayed broadcast", metadata: ["broadcast.id": "\(broadcastID)"])
        return Receipt(broadcastID: broadcastID, summary: summary, isReplay: true)
    }
}

/// A recipient after resolution: ready to render, or already rejected.
private enum ResolvedRecipient {
    struct Accepted {
        /// E.164.
        var number: String
        /// The recipient's label in problems.
        var label: String
        var variables: [String: String]
    }

    case accepted(Accepted)
    case rejected(BroadcastIntake.Problem)
}

extension BroadcastIntake {
    /// A checked broadcast, ready for one `createBroadcast` transaction.
    public struct Prepared: Sendable {
        /// The broadcast's label.
        public var name: String?
        /// The text or template source stored on the broadcast row.
        public var text: String
        /// One rendered message per recipient, in recipient order.
        public var submissions: [Submission]
        public var summary: PlanSummary
    }

    /// The cost of a broadcast's messages: encoding and segments over every recipient.
    public struct PlanSummary: Sendable, Equatable, Codable {
        /// UCS-2 when any message needs it, else GSM 7-bit.
        public var encoding: SMSEncoding = .gsm7
        /// `true` when some messages are GSM 7-bit and others UCS-2 (a name with a non-GSM letter).
        public var encodingVaries = false
        /// The maximum number of segments of one message.
        public var maximumSegments = 0
        /// The minimum number of segments of one message.
        public var minimumSegments = 0
        /// Messages counted.
        public var messages = 0
        /// Segments over every message: what the broadcast costs at a per-segment price.
        public var totalSegments = 0

        /// `true` when messages take different numbers of segments.
        public var segmentsVary: Bool { minimumSegments != maximumSegments }

        public init() {}

        mutating func add(encoding messageEncoding: SMSEncoding, segments: Int) {
            if messages == 0 {
                encoding = messageEncoding
                minimumSegments = segments
            } else if messageEncoding != encoding {
                encodingVaries = true
                encoding = .ucs2
            }
            maximumSegments = max(maximumSegments, segments)
            minimumSegments = min(minimumSegments, segments)
            messages += 1
            totalSegments += segments
        }
    }

    /// The result of a queued broadcast.
    public struct Receipt: Sendable, Equatable, Codable {
        public var broadcastID: Int64
        /// Messages queued: one per recipient.
        public var recipientCount: Int
        public var summary: PlanSummary
        /// `true` when the idempotency key named an existing broadcast and nothing new was queued.
        public var isReplay: Bool

        public init(broadcastID: Int64, summary: PlanSummary, isReplay: Bool) {
            self.broadcastID = broadcastID
            self.recipientCount = summary.messages
            self.summary = summary
            self.isReplay = isReplay
        }
    }

    /// One recipient that stops a broadcast.
    public struct Problem: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The recipient's label: "Ann (+447700900123)", a number as typed, a CSV line's number.
        public var recipient: String
        /// The CSV line, for a recipient from a file.
        public var line: Int?
        public var reason: String

        public init(recipient: String, line: Int? = nil, reason: String) {
            self.recipient = recipient
            self.line = line
            self.reason = reason
        }

        public var description: String {
            let place = line.map { "line \($0)" + (recipient.isEmpty ? "" : " (\(recipient))") } ?? recipient
            return "\(place): \(reason)"
        }
    }
}

/// An error that rejects a broadcast. Nothing of the broadcast is queued when one is thrown.
public enum BroadcastIntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Recipients that cannot be sent to, each with the reason; the rest were fine.
    case problems([BroadcastIntake.Problem])
    /// No contact group has this name.
    case unknownGroup(String)
    /// The group exists and has no members.
    case emptyGroup(String)
    /// The request names no recipient.
    case noRecipients
    /// The text is empty or spaces only.
    case emptyText
    /// The config has no template of this name.
    case unknownTemplate(String, known: [String])
    /// The config's template does not parse.
    case invalidTemplate(String, TemplateParseError)
    /// The recipient file cannot be read.
    case cannotReadFile(path: String, reason: String)
    /// The recipient file is not a readable CSV contact list.
    case csv(CSVError)

    /// How many problems `description` lists before summing up the rest.
    public static let listedProblems = 20

    public var description: String {
        switch self {
        case .problems(let problems):
            let listed = problems.prefix(Self.listedProblems).map { "  \($0)" }
            let more = problems.count > Self.listedProblems ? ["  ... and \(problems.count - Self.listedProblems) more"] : []
            let noun = problems.count == 1 ? "recipient" : "recipients"
            return (["nothing was queued: \(problems.count) \(noun) cannot be sent to:"] + listed + more)
                .joined(separator: "\n")
        case .unknownGroup(let group):
            return "no contact group is named \"\(group)\": import one with lifeline contacts import FILE --group \(group)"
        case .emptyGroup(let group):
            return "the contact group \"\(group)\" has no members: import contacts into it first"
        case .noRecipients:
            return "the broadcast has no recipients"
        case .emptyText:
            return "the message text is empty: give the text to send"
        case .unknownTemplate(let name, let known):
            let list = known.isEmpty ? "the config defines none" : "known: \(known.joined(separator: ", "))"
            return "no template is named \"\(name)\" (\(list)): add it under templates in the config"
        case .invalidTemplate(let name, let error):
            return "the template \"\(name)\" is invalid: \(error)"
        case .cannotReadFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .csv(let error):
            return "\(error)"
        }
    }
}
