import Diagnostics
import SMPP
import Simulators
import Testing

/// The ESME client over real TCP on 127.0.0.1 against the SMSC simulator.
@Suite(.timeLimit(.minutes(1)))
struct ESMEClientTests {
    static let backoff = ReconnectBackoff(
        initialDelay: .milliseconds(50),
        maximumDelay: .milliseconds(200),
        credentialsDelay: .seconds(60),
        random: { 0.5 }
    )

    /// A started simulator, a started client bound to it (unless `waitForBind` is false), and the client's events.
    struct Harness {
        let simulator: SMSCSimulator
        let client: ESMEClient
        let events: EventLog

        func stop() async {
            await client.stop()
            await simulator.stop()
        }
    }

    func makeHarness(
        password: String = "secret",
        bindMode: BindMode = .transceiver,
        windowSize: Int = 10,
        responseTimeout: Duration = .seconds(5),
        enquireLinkInterval: Duration = .seconds(30),
        waitForBind: Bool = true
    ) async throws -> Harness {
        let simulator = SMSCSimulator(
            configuration: SMSCSimulatorConfiguration(
                systemID: "lifeline",
                password: "secret",
                receiptDelay: .milliseconds(10)
            )
        )
        let port = try await simulator.start()
        let settings = SMPPLinkSettings(
            host: "127.0.0.1",
            port: port,
            systemID: "lifeline",
            password: password,
            bindMode: bindMode,
            windowSize: windowSize,
            enquireLinkInterval: enquireLinkInterval,
            responseTimeout: responseTimeout,
            sourceAddress: "Lifeline",
            sourceAddressTON: 5,
            registeredDelivery: 1
        )
        let client = try ESMEClient(settings: settings, backoff: Self.backoff, logger: .disabled)
        let events = EventLog(client.events)
        await client.start()
        if waitForBind {
            let bound = await events.next { if case .bound = $0 { true } else { false } }
            #expect(bound == .bound(smscSystemID: "SMSCSIM", mode: bindMode))
        }
        return Harness(simulator: simulator, client: client, events: events)
    }

    func message(_ client: ESMEClient, to destination: String = "447700900123", text: String = "Test alert") -> SubmitSM
    {
        client.settings.makeSubmitSM(destination: destination, shortMessage: Array(text.utf8))
    }

    /// A bound client's submit gets a message id and its receipt arrives as an event.
    /// The simulator records the submit's fields.
    @Test func submitAndReceipt() async throws {
        let harness = try await makeHarness()
        let outcome = try await harness.client.submit(message(harness.client))
        #expect(outcome == .accepted(messageID: "1", messageIDKey: "1"))

        let event = await harness.events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let receipt, let key, _)? = event else {
            Issue.record("no receipt")
            await harness.stop()
            return
        }
        #expect(key == "1")
        #expect(receipt.status == .delivered)
        #expect(receipt.text == "Test alert")

        let recorded = await harness.simulator.receivedSubmits
        #expect(recorded.count == 1)
        #expect(recorded.first?.submitSM.destinationAddress == "447700900123")
        #expect(recorded.first?.submitSM.sourceAddress == "Lifeline")
        #expect(recorded.first?.submitSM.sourceAddressTON == 5)
        #expect(recorded.first?.submitSM.registeredDelivery == 1)
        #expect(recorded.first?.messageID == "1")
        await harness.stop()
    }

    /// A throttled submit comes back as ESME_RTHROTTLED in the throttled class; the next one goes through.
    @Test func throttling() async throws {
        let harness = try await makeHarness()
        await harness.simulator.throttleNextSubmits(1)
        let first = try await harness.client.submit(message(harness.client))
        #expect(first == .rejected(.throttled))
        #expect(CommandStatus.throttled.failoverClass == .throttled)
        let second = try await harness.client.submit(message(harness.client))
        #expect(second == .accepted(messageID: "1", messageIDKey: "1"))
        await harness.stop()
    }

    /// A generic_nack to a submit rejects it with the nack's status.
    @Test func genericNack() async throws {
        let harness = try await makeHarness()
        await harness.simulator.nackNextSubmits(1, status: .invalidCommandID)
        let outcome = try await harness.client.submit(message(harness.client))
        #expect(outcome == .rejected(.invalidCommandID))
        await harness.stop()
    }

    /// Submits in the window when the connection drops end ambiguous, and the client re-binds.
    @Test func dropMidWindowIsAmbiguous() async throws {
        let harness = try await makeHarness()
        await harness.simulator.setAnswersSubmits(false)
        let client = harness.client
        let outcomes = await withTaskGroup(of: SubmitOutcome?.self) { group in
            for index in 0..<3 {
                let submit = message(client, text: "m\(index)")
                group.addTask { try? await client.submit(submit) }
            }
            #expect(await harness.simulator.waitForSubmits(count: 3, timeout: .seconds(10)))
            await harness.simulator.dropConnections()
            var outcomes: [SubmitOutcome?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 3)
        for outcome in outcomes {
            guard case .ambiguous(.linkDown)? = outcome else {
                Issue.record("expected ambiguous after drop, got \(String(describing: outcome))")
                continue
            }
        }
        await harness.simulator.setAnswersSubmits(true)
        let rebound = await harness.events.next { if case .bound = $0 { true } else { false } }
        #expect(rebound != nil)
        let after = try await client.submit(message(client))
        guard case .accepted = after else {
            Issue.record("no accept after re-bind: \(after)")
            return await harness.stop()
        }
        await harness.stop()
    }

    /// A wrong password is reported with ESME_RINVPASWD and retried on the slow pace; submits fail at once.
    @Test func wrongPasswordIsTypedBindError() async throws {
        let harness = try await makeHarness(password: "wrong", waitForBind: false)
        let down = await harness.events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.bindRejected(.invalidPassword)))
        let retry = await harness.events.next { if case .reconnectScheduled = $0 { true } else { false } }
        #expect(retry == .reconnectScheduled(delay: .seconds(60), attempt: 1))
        await #expect(throws: SMPPClientError.notBound(reason: .bindRejected(.invalidPassword))) {
            try await harness.client.submit(message(harness.client))
        }
        await harness.stop()
    }

    /// With the SMSC gone, submit throws not-bound at once instead of waiting for a timeout.
    @Test func linkDownFailsAtOnce() async throws {
        let harness = try await makeHarness(responseTimeout: .seconds(30))
        await harness.simulator.refuseConnections()
        await harness.simulator.dropConnections()
        let down = await harness.events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.closedByPeer))
        do {
            _ = try await harness.client.submit(message(harness.client))
            Issue.record("submit succeeded with the link down")
        } catch {
            guard case .notBound = error else {
                Issue.record("unexpected error \(error)")
                return await harness.stop()
            }
        }
        let refused = await harness.events.next { if case .linkDown(.connectFailed) = $0 { true } else { false } }
        #expect(refused != nil)
        await harness.stop()
    }

    /// No submit_sm_resp within the response timeout makes the submit ambiguous.
    @Test func responseTimeoutIsAmbiguous() async throws {
        let harness = try await makeHarness(responseTimeout: .milliseconds(300))
        await harness.simulator.setAnswersSubmits(false)
        let outcome = try await harness.client.submit(message(harness.client))
        #expect(outcome == .ambiguous(.responseTimeout))
        await harness.stop()
    }

    /// An unanswered enquire_link declares the link dead.
    @Test func unansweredEnquireLinkKillsLink() async throws {
        let harness = try await makeHarness(
            responseTimeout: .milliseconds(300),
            enquireLinkInterval: .milliseconds(200)
        )
        await harness.simulator.setAnswersEnquireLink(false)
        let down = await harness.events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.enquireLinkTimeout))
        await harness.stop()
    }

    /// A receipt that overtakes its submit_sm_resp and one for an unknown id both arrive as events.
    @Test func earlyAndUnknownReceipts() async throws {
        let harness = try await makeHarness()
        await harness.simulator.setReceiptBeforeResponse(true)
        let outcome = try await harness.client.submit(message(harness.client))
        #expect(outcome == .accepted(messageID: "1", messageIDKey: "1"))
        let early = await harness.events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(_, let key, _)? = early else {
            Issue.record("no early receipt")
            return await harness.stop()
        }
        #expect(key == "1")

        await harness.simulator.sendReceipt(messageID: "999", state: .undeliverable)
        let unknown = await harness.events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let receipt, let unknownKey, _)? = unknown else {
            Issue.record("no receipt for the unknown id")
            return await harness.stop()
        }
        #expect(unknownKey == "999")
        #expect(receipt.status == .undelivered)
        #expect(receipt.networkErrorCode == NetworkErrorCode(networkType: 3, errorCode: 1))
        await harness.stop()
    }

    /// More submits than the window size all complete, because callers wait for a slot.
    @Test func windowQueuesCallers() async throws {
        let harness = try await makeHarness(windowSize: 2)
        await harness.simulator.setResponseDelay(.milliseconds(20))
        let client = harness.client
        let outcomes = await withTaskGroup(of: SubmitOutcome?.self) { group in
            for index in 0..<6 {
                let submit = message(client, text: "w\(index)")
                group.addTask { try? await client.submit(submit) }
            }
            var outcomes: [SubmitOutcome?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let ids = outcomes.compactMap { outcome -> String? in
            if case .accepted(let id, _)? = outcome { return id }
            return nil
        }
        #expect(ids.sorted() == ["1", "2", "3", "4", "5", "6"])
        await harness.stop()
    }

    /// A receiver bind takes no submits; stop() unbinds and ends the event stream.
    @Test func receiverBindAndStop() async throws {
        let harness = try await makeHarness(bindMode: .receiver)
        await #expect(throws: SMPPClientError.self) {
            try await harness.client.submit(message(harness.client))
        }
        await harness.client.stop()
        let down = await harness.events.next { if case .linkDown = $0 { true } else { false } }
        #expect(down == .linkDown(.unbound))
        await harness.simulator.stop()
    }

    /// The connection dropped on the second submit leaves it ambiguous; the first was accepted.
    @Test func dropOnSubmitIsAmbiguous() async throws {
        let harness = try await makeHarness()
        await harness.simulator.dropConnectionOnSubmit(2)
        let first = try await harness.client.submit(message(harness.client))
        #expect(first == .accepted(messageID: "1", messageIDKey: "1"))
        let second = try await harness.client.submit(message(harness.client))
        #expect(second == .ambiguous(.linkDown(.closedByPeer)))
        await harness.stop()
    }

    /// An UNDELIV receipt arrives as undelivered with its network error.
    @Test func undeliveredReceipt() async throws {
        let harness = try await makeHarness()
        await harness.simulator.setReceiptState(.undeliverable)
        _ = try await harness.client.submit(message(harness.client))
        let event = await harness.events.next { if case .deliveryReceipt = $0 { true } else { false } }
        guard case .deliveryReceipt(let receipt, _, _)? = event else {
            Issue.record("no receipt")
            return await harness.stop()
        }
        #expect(receipt.stat == "UNDELIV")
        #expect(receipt.status == .undelivered)
        #expect(receipt.isFinal)
        await harness.stop()
    }

    /// An inbound SMS arrives as an event, and the SMSC's enquire_link gets its response.
    @Test func inboundMessageAndEnquireLink() async throws {
        let harness = try await makeHarness()
        await harness.simulator.sendInboundMessage(
            from: "447700900123",
            to: "Lifeline",
            shortMessage: Array("STOP".utf8)
        )
        let event = await harness.events.next { if case .inboundMessage = $0 { true } else { false } }
        guard case .inboundMessage(let inbound, _)? = event else {
            Issue.record("no inbound message")
            return await harness.stop()
        }
        #expect(inbound.sourceAddress == "447700900123")
        #expect(inbound.shortMessage == Array("STOP".utf8))

        await harness.simulator.sendEnquireLink()
        #expect(await harness.simulator.waitForEnquireLinkResponses(count: 1, timeout: .seconds(10)))
        await harness.stop()
    }

    /// A probe succeeds on a live link and fails at once when the link is down.
    @Test func probeChecksLink() async throws {
        let harness = try await makeHarness()
        #expect(await harness.client.probe())
        await harness.simulator.refuseConnections()
        await harness.simulator.dropConnections()
        _ = await harness.events.next { if case .linkDown = $0 { true } else { false } }
        #expect(await harness.client.probe() == false)
        await harness.stop()
    }

    /// A probe the SMSC does not respond to fails after the response timeout.
    @Test func unansweredProbeFails() async throws {
        let harness = try await makeHarness(responseTimeout: .milliseconds(300))
        await harness.simulator.setAnswersEnquireLink(false)
        #expect(await harness.client.probe() == false)
        await harness.stop()
    }
}
