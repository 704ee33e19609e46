import Foundation
import Store

/// The store's account of a run that had faults injected, checked against what the simulated
/// networks received.
///
/// A message is lost when its row is missing, when it is left queued, sending, unknown or
/// undelivered, or when it failed without a reason. A recipient that received more than one
/// copy is a duplicate. Each duplicate is marked with whether its message was in flight at a
/// fault: an `ambiguous` attempt, an attempt open across a fault's moment, or a `sending`,
/// `sent` or `unknown` state at that moment.
struct ChaosAudit: Sendable {
    /// A recipient that received more than one copy.
    struct Duplicate: Sendable, CustomStringConvertible {
        var recipient: String
        var copies: Int
        var messageID: MessageID?
        var inFlightAtFault: Bool

        var description: String {
            "\(recipient): \(copies) copies, message \(messageID.map(String.init) ?? "?"), "
                + (inFlightAtFault ? "in flight at a fault" : "NOT in flight at any fault")
        }
    }

    var expected: Int
    var rows: Int
    var stateCounts: [MessageState: Int]
    var delivered: Int
    var failedWithReason: Int
    var failedWithoutReason: [MessageID]
    /// Accepted by a provider whose report never came; each with whether it was in flight at a fault.
    var awaitingReport: [(id: MessageID, inFlightAtFault: Bool)]
    /// Messages in a state that is neither final nor `sent`.
    var unsettled: [MessageID]
    var duplicates: [Duplicate]
    /// For each unsettled message: its state, attempts with outcomes, and latest event.
    var unsettledDetails: [String] = []

    /// Messages without a row, left in an unsettled state, or failed without a reason.
    var lost: Int { max(expected - rows, 0) + unsettled.count + failedWithoutReason.count }

    /// One line per figure, for the test output and the reliability record.
    var summary: String {
        let inFlight = duplicates.filter(\.inFlightAtFault).count
        return """
            submitted \(expected), rows \(rows), delivered \(delivered), failed with reason \(failedWithReason), \
            failed without reason \(failedWithoutReason.count), accepted awaiting report \(awaitingReport.count), \
            lost \(lost), duplicates \(duplicates.count) (\(inFlight) in flight at a fault)
            """
    }

    /// Reads every message with its attempts and events.
    ///
    /// - Parameters:
    ///   - copiesByRecipient: how many copies each recipient (digits only, no `+`) received.
    ///   - faultTimes: the moments faults were injected, on the test's clock.
    ///   - clockStep: the step of the daemon's wall clock, if any, to map its timestamps to the
    ///     test's clock.
    static func read(
        databasePath: String,
        expected: Int,
        copiesByRecipient: [String: Int],
        faultTimes: [Date],
        clockStep: ChaosClock.Step? = nil
    ) async throws -> ChaosAudit {
        let store = try await SQLiteStore(path: databasePath, notifiesWakeListener: false)
        do {
            let audit = try await read(
                store: store, expected: expected, copies: copiesByRecipient, faults: faultTimes, clockStep: clockStep
            )
            await store.close()
            return audit
        } catch {
            await store.close()
            throw error
        }
    }

    /// Reads the audit from an open store of either kind.
    static func read(
        store: any MessageStore,
        expected: Int,
        copies: [String: Int],
        faults: [Date],
        clockStep: ChaosClock.Step? = nil
    ) async throws -> ChaosAudit {
        let messages = try await store.messages(limit: 1_000_000)
        var audit = ChaosAudit(
            expected: expected,
            rows: messages.count,
            stateCounts: [:],
            delivered: 0,
            failedWithReason: 0,
            failedWithoutReason: [],
            awaitingReport: [],
            unsettled: [],
            duplicates: []
        )
        var messageByRecipient: [String: MessageRecord] = [:]
        for message in messages {
            audit.stateCounts[message.state, default: 0] += 1
            messageByRecipient[digits(message.recipient)] = message
            switch message.state {
            case .delivered:
                audit.delivered += 1
            case .failed where (message.lastReason ?? "").isEmpty:
                audit.failedWithoutReason.append(message.id)
            case .failed:
                audit.failedWithReason += 1
            case .sent:
                let inFlight = try await wasInFlight(message.id, store: store, faults: faults, clockStep: clockStep)
                audit.awaitingReport.append((message.id, inFlight))
            case .queued, .sending, .undelivered, .unknown, .expired, .cancelled:
                audit.unsettled.append(message.id)
                audit.unsettledDetails.append(try await describe(message, store: store))
            }
        }
        for (recipient, count) in copies.sorted(by: { $0.key < $1.key }) where count > 1 {
            let message = messageByRecipient[recipient]
            var inFlight = false
            if let message { inFlight = try await wasInFlight(message.id, store: store, faults: faults, clockStep: clockStep) }
            audit.duplicates.append(
                Duplicate(recipient: recipient, copies: count, messageID: message?.id, inFlightAtFault: inFlight)
            )
        }
        return audit
    }

    /// Describes a message for a failure report: state, attempts with outcomes, latest event.
    static func describe(_ message: MessageRecord, store: any MessageStore) async throws -> String {
        let attempts = try await store.attempts(for: message.id).map { "\($0.providerID):\($0.outcome?.rawValue ?? "open")" }
        let last = try await store.events(for: message.id).max { $0.at < $1.at }
        return "message \(message.id) \(message.state.rawValue), attempts \(attempts), "
            + "last event \(last.map { "\($0.state.rawValue) at \($0.at) (\($0.reason ?? "no reason"))" } ?? "none")"
    }

    /// Returns whether the message had an ambiguous attempt, an attempt open at a fault, or was
    /// between claim and final report when a fault happened. The store's timestamps are mapped to
    /// the test's clock through `clockStep` first.
    static func wasInFlight(
        _ id: MessageID,
        store: any MessageStore,
        faults: [Date],
        clockStep: ChaosClock.Step? = nil
    ) async throws -> Bool {
        let real = { (date: Date) in clockStep?.realTime(date) ?? date }
        let attempts = try await store.attempts(for: id).map { attempt in
            var mapped = attempt
            mapped.startedAt = real(attempt.startedAt)
            mapped.finishedAt = attempt.finishedAt.map(real)
            return mapped
        }
        // A `not_received` attempt was ambiguous until its receipt wait ended without a receipt.
        if attempts.contains(where: { $0.outcome == .ambiguous || $0.outcome == .notReceived }) { return true }
        let events = try await store.events(for: id).map { event in
            var mapped = event
            mapped.at = real(event.at)
            return mapped
        }.sorted { $0.at < $1.at }
        let busy: Set<MessageState> = [.sending, .sent, .unknown]
        for fault in faults {
            let open = attempts.contains { attempt in
                attempt.startedAt <= fault && (attempt.finishedAt.map { $0 >= fault } ?? true)
            }
            if open { return true }
            if let before = events.last(where: { $0.at <= fault }), busy.contains(before.state) { return true }
        }
        return false
    }

    /// Returns the digits of a number, without `+` or spaces, as SMPP and TP-DA carry it.
    static func digits(_ number: String) -> String {
        String(number.filter(\.isNumber))
    }

    /// Returns the recipient digits of an SMS-SUBMIT PDU that starts with its SMSC field (TS 23.040
    /// 9.2.2.2: first octet, TP-MR, then TP-DA as a digit count, a type octet and swapped
    /// semi-octets). `nil` when the PDU is too short.
    static func submitRecipient(_ pdu: [UInt8]) -> String? {
        guard let smscLength = pdu.first else { return nil }
        let addressStart = 1 + Int(smscLength) + 2
        guard addressStart + 1 < pdu.count else { return nil }
        let digitCount = Int(pdu[addressStart])
        let octets = (digitCount + 1) / 2
        let first = addressStart + 2
        guard first + octets <= pdu.count else { return nil }
        var text = ""
        for octet in pdu[first..<(first + octets)] {
            for nibble in [octet & 0x0F, octet >> 4] where nibble < 10 {
                text.append(Character(String(nibble)))
            }
        }
        return String(text.prefix(digitCount))
    }
}
