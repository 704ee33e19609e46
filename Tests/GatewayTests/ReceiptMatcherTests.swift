import Foundation
import Gateway
import Store
import Testing

/// The match of a receipt whose id no attempt recorded, and what its adoption does.
@Suite struct ReceiptMatcherTests {
    private static let start = Date(timeIntervalSince1970: 1_800_000_000)

    private static func candidate(
        _ attemptID: AttemptID,
        recipient: String = "+447700900123",
        text: String = "Site closed today: work from home",
        outcome: AttemptOutcome? = .ambiguous
    ) -> UnresolvedAttempt {
        UnresolvedAttempt(
            attempt: AttemptRecord(
                id: attemptID,
                messageID: attemptID * 10,
                providerID: "carrier",
                startedAt: start,
                outcome: outcome
            ),
            message: MessageRecord(
                id: attemptID * 10,
                recipient: recipient,
                text: text,
                priority: .bulk,
                state: .unknown,
                createdAt: start,
                updatedAt: start
            )
        )
    }

    struct MatchCase: Sendable, CustomTestStringConvertible {
        var name: String
        var recipient: String?
        var text: String?
        var candidates: [UnresolvedAttempt]
        /// The attempt id adopted, `0` for an in-flight match, `nil` for none, `-n` for `n` candidates.
        var expected: AttemptID?
        var testDescription: String { name }
    }

    static let matchCases: [MatchCase] = [
        MatchCase(name: "one match", recipient: "447700900123", text: "Site closed today: w",
                  candidates: [candidate(1), candidate(2, recipient: "+447700900999")], expected: 1),
        MatchCase(name: "none: other handset", recipient: "447700900555", text: "Site closed today: w",
                  candidates: [candidate(1)], expected: nil),
        MatchCase(name: "none: other text", recipient: "447700900123", text: "Fire drill at noon",
                  candidates: [candidate(1)], expected: nil),
        MatchCase(name: "two: same handset and text", recipient: "447700900123", text: "Site closed today: w",
                  candidates: [candidate(1), candidate(2)], expected: -2),
        MatchCase(name: "text absent, one for the handset", recipient: "+447700900123", text: nil,
                  candidates: [candidate(1), candidate(2, recipient: "+447700900999")], expected: 1),
        MatchCase(name: "text blank, two for the handset", recipient: "447700900123", text: "  ",
                  candidates: [candidate(1), candidate(2, text: "Another text")], expected: -2),
        MatchCase(name: "text tells two apart", recipient: "447700900123", text: "Another te",
                  candidates: [candidate(1), candidate(2, text: "Another text")], expected: 2),
        MatchCase(name: "spaces and accents dropped", recipient: "447700900123", text: "Caf closed",
                  candidates: [candidate(1, text: "Café closed")], expected: 1),
        MatchCase(name: "one in flight", recipient: "447700900123", text: nil,
                  candidates: [candidate(1, outcome: nil)], expected: 0),
        MatchCase(name: "in flight and ambiguous: a guess", recipient: "447700900123", text: nil,
                  candidates: [candidate(1), candidate(2, outcome: nil)], expected: -2),
        MatchCase(name: "no handset", recipient: nil, text: "Site closed today: w",
                  candidates: [candidate(1)], expected: nil),
        MatchCase(name: "handset not a number", recipient: "LIFELINE", text: nil,
                  candidates: [candidate(1)], expected: nil),
    ]

    /// Exactly one fitting ambiguous attempt is adopted; none, several or an in-flight one is not.
    @Test(arguments: matchCases)
    func match(_ testCase: MatchCase) {
        let match = ReceiptMatcher.match(
            recipient: testCase.recipient,
            textPrefix: testCase.text,
            among: testCase.candidates
        )
        switch match {
        case .one(let found): #expect(found.attempt.id == testCase.expected)
        case .inFlight: #expect(testCase.expected == 0)
        case .none: #expect(testCase.expected == nil)
        case .several(let count): #expect(testCase.expected == AttemptID(-count))
        }
    }

    struct AdoptionCase: Sendable, CustomTestStringConvertible {
        var status: DeliveryReport.Status
        var state: MessageState
        var expected: MessageState?
        var testDescription: String { "\(status) on \(state)" }
    }

    static let adoptionCases: [AdoptionCase] = [
        AdoptionCase(status: .delivered, state: .unknown, expected: .delivered),
        AdoptionCase(status: .delivered, state: .failed, expected: .delivered),
        AdoptionCase(status: .delivered, state: .queued, expected: .delivered),
        AdoptionCase(status: .delivered, state: .sent, expected: .delivered),
        AdoptionCase(status: .delivered, state: .sending, expected: nil),
        AdoptionCase(status: .delivered, state: .expired, expected: nil),
        AdoptionCase(status: .delivered, state: .cancelled, expected: nil),
        AdoptionCase(status: .undelivered, state: .unknown, expected: .undelivered),
        AdoptionCase(status: .undelivered, state: .failed, expected: nil),
        AdoptionCase(status: .undelivered, state: .queued, expected: nil),
        AdoptionCase(status: .pending, state: .unknown, expected: .sent),
        AdoptionCase(status: .pending, state: .failed, expected: nil),
    ]

    /// An adopted receipt moves the message through the delivery states; only a `failed` message
    /// leaves a final state, and only for `delivered`.
    @Test(arguments: adoptionCases)
    func adoption(_ testCase: AdoptionCase) {
        var message = Self.candidate(1).message
        message.state = testCase.state
        let transition = ReceiptAdoption.transition(
            for: testCase.status,
            message: message,
            providerID: "carrier",
            providerMessageID: "77",
            receiptReason: "stat:DELIVRD err:000"
        )
        #expect(transition?.state == testCase.expected)
        if let transition {
            #expect(transition.providerMessageID == "77")
            #expect(transition.reason?.hasPrefix(ReceiptAdoption.reason) == true)
        }
    }
}
