import Diagnostics
import Foundation
import Gateway
import Store
import Testing

/// Steps of the wall clock while messages are in flight, on a real store. The dispatcher reads
/// every date from its `DispatchClock`, which the test steps like an NTP correction would.
@Suite struct ClockJumpTests {
    /// Starts a dispatcher on `store` with one provider that keeps its sends waiting until released.
    private func start(_ store: SQLiteStore, clock: ManualClock) throws -> (Dispatcher, ScriptedProvider, Task<Void, Error>) {
        let provider = ScriptedProvider(id: "carrier", holdsSends: true)
        let dispatcher = try Dispatcher(
            store: store,
            providers: [provider],
            policy: testPolicy(["carrier"]),
            clock: clock,
            logger: .disabled
        )
        return (dispatcher, provider, Task { try await dispatcher.run() })
    }

    private func submission(_ index: Int) -> Submission {
        Submission(recipient: "+44770090\(1000 + index)", text: "drill \(index)", priority: .normal)
    }

    /// A clock stepped back an hour while a send is in flight: the send finishes once, the message
    /// is `sent` with one attempt, and a message queued after the step is claimed and sent too.
    @Test func clockSteppedBackDuringSend() async throws {
        try await withGatewayStore { store in
            let clock = ManualClock()
            let (dispatcher, provider, run) = try start(store, clock: clock)
            let first = try await store.enqueue([submission(1)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("first send in flight") { await provider.heldCount == 1 }

            clock.step(by: -3600)
            let second = try await store.enqueue([submission(2)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("second send in flight") { await provider.heldCount == 2 }
            await provider.releaseAll()
            try await eventually("both sent") {
                let firstState = try await store.message(first)?.state
                let secondState = try await store.message(second)?.state
                return firstState == .sent && secondState == .sent
            }
            await dispatcher.stop()
            try await run.value

            #expect(await provider.callCount == 2)
            #expect(try await store.attempts(for: first).map(\.outcome) == [.accepted])
            #expect(try await store.attempts(for: second).map(\.outcome) == [.accepted])
        }
    }

    /// A clock stepped forward past the claim's lease while the send is in flight: the message is
    /// sent once and ends `sent`, because a dispatcher never takes back a claim of its own run.
    @Test func clockSteppedForwardPastLeaseDuringSend() async throws {
        try await withGatewayStore { store in
            let clock = ManualClock()
            let (dispatcher, provider, run) = try start(store, clock: clock)
            let id = try await store.enqueue([submission(1)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("send in flight") { await provider.heldCount == 1 }

            clock.step(by: 3600)
            // A later message is claimed after any lease the step ran out, so once it is in flight the
            // dispatcher has claimed from the queue as it is after the step.
            let later = try await store.enqueue([submission(2)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("later message in flight") {
                await provider.calls.contains { $0.recipient == "+447700901002" }
            }
            await provider.releaseAll()
            try await eventually("both messages final") {
                let laterState = try await store.message(later)?.state
                let firstState = try await store.message(id)?.state
                return laterState == .sent && firstState != .sending && firstState != .queued
            }
            await dispatcher.stop()
            try await run.value

            let firstSends = await provider.calls.filter { $0.recipient == "+447700901001" }.count
            let finalState = try await store.message(id)?.state
            let events = try await store.events(for: id).map { "\($0.state.rawValue): \($0.reason ?? "")" }
            #expect(firstSends == 1, "the message in flight was sent again after the step")
            #expect(finalState == .sent, "\(events)")
            #expect(try await store.attempts(for: id).map(\.outcome) == [.accepted])
        }
    }

    /// A clock stepped forward past a delivery deadline while a sent message waits for its
    /// receipt: the deadline does not fire at the step, because it runs on the monotonic clock,
    /// and it fires once the deadline's span has really passed, re-routing the message to the
    /// next provider.
    @Test func clockSteppedForwardWhileAwaitingReceipt() async throws {
        try await withGatewayStore { store in
            let clock = ManualClock()
            let carrier = ScriptedProvider(id: "carrier", sendsDeliveryReports: true)
            let backup = ScriptedProvider(id: "backup")
            let dispatcher = try Dispatcher(
                store: store,
                providers: [carrier, backup],
                policy: testPolicy(["carrier", "backup"], deliveryDeadline: .seconds(600)),
                clock: clock,
                logger: .disabled
            )
            let run = Task { try await dispatcher.run() }
            let id = try await store.enqueue([submission(1)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("sent, waiting for its receipt") {
                let sent = try await store.message(id)?.state == .sent
                let deadline = await dispatcher.deliveryTracker.nextDeadline()
                return sent && deadline != nil
            }

            clock.step(by: 3600)
            // The loop checks deadlines before each claim, so once a message queued after the
            // step is sent, the loop has looked at the deadline with the stepped clock.
            let later = try await store.enqueue([submission(2)], now: clock.now)[0]
            dispatcher.wake()
            try await eventually("later message sent") { try await store.message(later)?.state == .sent }
            #expect(try await store.message(id)?.state == .sent)
            #expect(await dispatcher.deliveryTracker.counters.missedDeadlines == 0)
            #expect(await backup.callCount == 0, "the step fired the delivery deadline early")

            // A second past the deadline: the wall dates of the test carry rounding below a microsecond.
            clock.advance(by: 601)
            // Both messages were sent before any time passed, so both deadlines are due now.
            try await eventually("re-routed after the deadline's span") { await backup.callCount == 2 }
            #expect(await dispatcher.deliveryTracker.counters.missedDeadlines == 2)
            #expect(try await store.attempts(for: id).map(\.providerID) == ["carrier", "backup"])
            await dispatcher.stop()
            try await run.value
        }
    }
}
