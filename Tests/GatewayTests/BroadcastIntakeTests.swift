import Foundation
import SMSCodec
import Testing

@testable import Gateway
@testable import Store

@Suite struct BroadcastIntakeTests {
    private let intake = BroadcastIntake(
        defaultRegion: "GB",
        maxSegments: 10,
        templates: [
            "evacuate": "{name}, leave by exit {exit} now. Meet at {point}.",
            "plain": "Leave the building now.",
            "broken": "Hello {name",
        ]
    )

    private func importAttendees(_ store: SQLiteStore) async throws {
        _ = try await store.importContacts(
            [
                ContactImport(number: "+447700900001", name: "Ann", variables: ["exit": "B"]),
                ContactImport(number: "+447700900002", name: "Zoë", variables: ["exit": "C"]),
                ContactImport(number: "+447700900003", name: "Bob", variables: ["exit": "A"]),
            ],
            intoGroup: "attendees",
            now: epochDate
        )
    }

    /// A template broadcast to a group renders each contact's own variables plus the shared
    /// `--var` values, queues one message per member in one broadcast, and reports the widest
    /// encoding and the segment range.
    @Test func groupWithPerContactVariables() async throws {
        try await withGatewayStore { store in
            try await importAttendees(store)
            let request = BroadcastIntake.Request(
                audience: .group("attendees"),
                content: .template(name: "evacuate"),
                variables: ["point": "the car park"],
                priority: .emergency
            )
            let receipt = try await intake.submit(request, to: store, now: epochDate)
            #expect(receipt.recipientCount == 3)
            #expect(receipt.isReplay == false)
            #expect(receipt.summary.encoding == .ucs2)  // "Zoë" needs UCS-2
            #expect(receipt.summary.encodingVaries)
            #expect(receipt.summary.maximumSegments == 1)
            #expect(receipt.summary.segmentsVary == false)

            let messages = try await store.messages(inBroadcast: receipt.broadcastID)
            #expect(messages.map(\.text) == [
                "Ann, leave by exit B now. Meet at the car park.",
                "Zoë, leave by exit C now. Meet at the car park.",
                "Bob, leave by exit A now. Meet at the car park.",
            ])
            #expect(messages.map(\.recipient) == ["+447700900001", "+447700900002", "+447700900003"])
            #expect(messages.allSatisfy { $0.priority == .emergency })
            #expect(messages.allSatisfy { $0.state == .queued })
            let record = try #require(try await store.broadcast(receipt.broadcastID))
            #expect(record.name == "evacuate")
        }
    }

    /// One contact without a value for a template variable rejects the whole broadcast, naming
    /// the contact and the variable, and nothing is queued.
    @Test func oneBadRecipientRejectsAll() async throws {
        try await withGatewayStore { store in
            try await importAttendees(store)
            _ = try await store.importContacts(
                [ContactImport(number: "+447700900004", name: "Dee")],
                intoGroup: "attendees",
                now: epochDate
            )
            let request = BroadcastIntake.Request(
                audience: .group("attendees"),
                content: .template(name: "evacuate"),
                variables: ["point": "the car park"]
            )
            let error = await #expect(throws: BroadcastIntakeError.self) {
                try await intake.submit(request, to: store, now: epochDate)
            }
            guard case .problems(let problems) = error else {
                Issue.record("expected problems, got \(String(describing: error))")
                return
            }
            #expect(problems == [
                BroadcastIntake.Problem(recipient: "Dee (+447700900004)", reason: "no value for the template variable {exit}")
            ])
            #expect(try await store.messages(limit: 10).isEmpty)
            #expect(try await store.broadcasts(limit: 10).isEmpty)
        }
    }

    /// A list of numbers with one invalid and one duplicate is rejected with both problems.
    @Test func numbersWithProblems() async throws {
        try await withGatewayStore { store in
            let request = BroadcastIntake.Request(
                audience: .numbers(["07700 900001", "12", "+447700900001"]),
                content: .text("Leave now")
            )
            let error = await #expect(throws: BroadcastIntakeError.self) {
                try await intake.submit(request, to: store, now: epochDate)
            }
            guard case .problems(let problems) = error else {
                Issue.record("expected problems")
                return
            }
            #expect(problems.map(\.recipient) == ["12", "+447700900001"])
            let queued = try await store.messages(limit: 10)
            #expect(queued.isEmpty)
        }
    }

    /// A CSV file's columns are variables for that broadcast; a bad row rejects it with its line.
    @Test func csvAudience() async throws {
        try await withGatewayStore { store in
            let good = "number,name,exit\n07700900001,Ann,B\n07700900002,Bob,C\n"
            let request = BroadcastIntake.Request(
                audience: .csv(Array(good.utf8)),
                content: .template(name: "evacuate"),
                variables: ["point": "gate 2"]
            )
            let receipt = try await intake.submit(request, to: store, now: epochDate)
            #expect(receipt.recipientCount == 2)
            #expect(try await store.messages(inBroadcast: receipt.broadcastID).map(\.text).last
                == "Bob, leave by exit C now. Meet at gate 2.")

            let bad = good + "nope,Cy,D\n"
            let error = await #expect(throws: BroadcastIntakeError.self) {
                try await intake.submit(
                    BroadcastIntake.Request(audience: .csv(Array(bad.utf8)), content: .text("Leave")),
                    to: store,
                    now: epochDate
                )
            }
            guard case .problems(let problems) = error else {
                Issue.record("expected problems")
                return
            }
            #expect(problems.map(\.line) == [4])
            #expect(try await store.messages(limit: 10).count == 2)
        }
    }

    /// A group that exists with no members, an unknown group, an unknown template and a broken
    /// template are each rejected before anything is written.
    @Test func rejectedRequests() async throws {
        try await withGatewayStore { store in
            _ = try await store.importContacts([ContactImport(number: "+447700900001")], intoGroup: "empty", now: epochDate)
            _ = try await store.deleteContactGroup("empty")
            _ = try await store.importContacts([], intoGroup: "empty", now: epochDate)

            let cases: [(BroadcastIntake.Request, BroadcastIntakeError)] = [
                (.init(audience: .group("empty"), content: .text("x")), .emptyGroup("empty")),
                (.init(audience: .group("nobody"), content: .text("x")), .unknownGroup("nobody")),
                (.init(audience: .numbers([]), content: .text("x")), .noRecipients),
                (.init(audience: .numbers(["+447700900001"]), content: .text("  ")), .emptyText),
                (
                    .init(audience: .numbers(["+447700900001"]), content: .template(name: "missing")),
                    .unknownTemplate("missing", known: ["broken", "evacuate", "plain"])
                ),
                (
                    .init(audience: .numbers(["+447700900001"]), content: .template(name: "broken")),
                    .invalidTemplate("broken", .unclosedBrace(position: 7))
                ),
            ]
            for (request, expected) in cases {
                await #expect(throws: expected) { try await intake.submit(request, to: store, now: epochDate) }
            }
            #expect(try await store.broadcasts(limit: 10).isEmpty)
        }
    }

    /// Submitting twice with one idempotency key queues one broadcast, and the second result is a
    /// replay with the same id and count, even after the group changed.
    @Test func idempotentBroadcast() async throws {
        try await withGatewayStore { store in
            try await importAttendees(store)
            let request = BroadcastIntake.Request(
                audience: .group("attendees"),
                content: .template(name: "plain"),
                idempotencyKey: "evac-2026-12-04"
            )
            let first = try await intake.submit(request, to: store, now: epochDate)
            _ = try await store.importContacts([ContactImport(number: "+447700900009")], intoGroup: "attendees", now: epochDate)
            let second = try await intake.submit(request, to: store, now: epochDate)
            #expect(second.isReplay)
            #expect(second.broadcastID == first.broadcastID)
            #expect(second.recipientCount == 3)
            #expect(second.summary == first.summary)
            #expect(try await store.messages(limit: 10).count == 3)
        }
    }
}

@Suite struct BroadcastCostTests {
    /// The one-segment shortcut gives the planner's encoding and segment count at and around the
    /// single-SMS limits, with extension characters and surrogate pairs.
    @Test(arguments: [
        String(repeating: "a", count: 160),
        String(repeating: "a", count: 161),
        String(repeating: "a", count: 159) + "€",
        String(repeating: "a", count: 158) + "€",
        String(repeating: "é", count: 70) + "ł",
        String(repeating: "ł", count: 70),
        String(repeating: "ł", count: 71),
        String(repeating: "a", count: 68) + "😀",
        String(repeating: "a", count: 69) + "😀",
        "Zoë, leave by exit C now.",
    ])
    func matchesPlanner(text: String) throws {
        let options = SegmentPlanner.Options(maximumSegments: 10)
        let plan = try SegmentPlanner.plan(text, options: options)
        let cost = try BroadcastIntake.cost(of: text, options: options)
        #expect(cost.encoding == plan.encoding)
        #expect(cost.segments == plan.segments.count)
    }
}

/// A fixed time, so tests never depend on the clock.
let epochDate = Date(timeIntervalSince1970: 1_780_000_000)
