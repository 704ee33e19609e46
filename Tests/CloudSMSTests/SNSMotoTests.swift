import Diagnostics
import Foundation
import Testing

@testable import CloudSMS

/// SNS against moto's server (Tests/Peers/sns_moto.py) with signing enforced: moto recomputes each
/// request's Signature Version 4 with botocore from an IAM key it created, and records the SMS
/// it accepts, which the tests read back from its `/moto-api/data.json`.
@Suite(.serialized) struct SNSMotoTests {
    /// moto's first line: its port and the IAM key allowed to publish.
    struct Moto: Decodable {
        var port: Int
        var accessKeyID: String
        var secretAccessKey: String

        enum CodingKeys: String, CodingKey {
            case port
            case accessKeyID = "access_key_id"
            case secretAccessKey = "secret_access_key"
        }

        var endpoint: String { "http://127.0.0.1:\(port)" }
    }

    /// One SMS as moto recorded it.
    struct RecordedSMS: Decodable, Equatable {
        var messageID: String
        var phoneNumber: String
        var message: String

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case phoneNumber = "phone_number"
            case message
        }
    }

    private static func start() async throws -> (PeerServer, Moto) {
        let peer = try await PeerServer.start(script: "sns_moto.py", arguments: ["--lifetime", "120"])
        let moto = try JSONDecoder().decode(Moto.self, from: Data(peer.firstLine.utf8))
        return (peer, moto)
    }

    private static func client(_ moto: Moto, http: HTTPClient, secret: String? = nil) -> SNSClient {
        let credentials = AWSSignatureV4.Credentials(
            accessKeyID: moto.accessKeyID,
            secretAccessKey: secret ?? moto.secretAccessKey
        )
        let settings = SNSSettings(credentials: credentials, region: "eu-west-1", endpoint: moto.endpoint, senderID: "Lifeline")
        return SNSClient(settings: settings, http: http, logger: .disabled)
    }

    /// Reads every SMS moto accepted so far.
    private static func recorded(_ moto: Moto, http: HTTPClient) async throws -> [RecordedSMS] {
        struct Snapshot: Decodable {
            struct SNS: Decodable { var SMS: [RecordedSMS]? }
            var sns: SNS?
        }
        let response = try await http.execute(HTTPRequest(method: .get, url: "\(moto.endpoint)/moto-api/data.json"))
        try #require(response.status == 200, "data.json: HTTP \(response.status)")
        return try JSONDecoder().decode(Snapshot.self, from: Data(response.body)).sns?.SMS ?? []
    }

    /// moto verifies the signature, accepts the publish, and records the number and the text
    /// (non-ASCII included) under the MessageId Lifeline got back.
    @Test func publishIsRecorded() async throws {
        let (peer, moto) = try await Self.start()
        defer { withExtendedLifetime(peer) {} }
        let http = try HTTPClient(logger: .disabled)
        let text = "Évacuez la salle B: sortie 3 & 4 = escalier +1"

        let result = await Self.client(moto, http: http).send(to: "+447700900123", body: text)

        guard case .accepted(let id) = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        let messages = try await Self.recorded(moto, http: http)
        #expect(messages == [RecordedSMS(messageID: id, phoneNumber: "+447700900123", message: text)])
    }

    /// A wrong secret key and an unknown key are `unavailable`. A number that is not E.164 is a
    /// recipient error, and a text over 1,600 bytes is rejected. moto records none of them.
    @Test func rejectionsAreClassified() async throws {
        let (peer, moto) = try await Self.start()
        defer { withExtendedLifetime(peer) {} }
        let http = try HTTPClient(logger: .disabled)

        let wrongSecret = await Self.client(moto, http: http, secret: "not-the-secret").send(to: "+447700900123", body: "x")
        guard case .unavailable(let reason) = wrongSecret else {
            Issue.record("expected unavailable, got \(wrongSecret)")
            return
        }
        #expect(reason.contains("SignatureDoesNotMatch"), "\(reason)")

        var unknown = moto
        unknown.accessKeyID = "AKIAUNKNOWNKEY000000"
        let unknownKey = await Self.client(unknown, http: http).send(to: "+447700900123", body: "x")
        #expect(TwilioClientTests.summary(unknownKey) == "unavailable", "\(unknownKey)")
        #expect("\(unknownKey)".contains("InvalidClientTokenId"), "\(unknownKey)")

        let badNumber = await Self.client(moto, http: http).send(to: "+0447700900123", body: "x")
        #expect(TwilioClientTests.summary(badNumber) == "recipientError InvalidParameter", "\(badNumber)")

        let tooLong = await Self.client(moto, http: http).send(to: "+447700900123", body: String(repeating: "a", count: 1601))
        #expect(TwilioClientTests.summary(tooLong) == "unavailable", "\(tooLong)")

        #expect(try await Self.recorded(moto, http: http).isEmpty)
    }
}
