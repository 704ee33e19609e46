import Diagnostics
import Foundation
import Testing

@testable import CloudSMS

@Suite struct SNSClientTests {
    static let credentials = AWSSignatureV4.Credentials(
        accessKeyID: CloudFake.awsAccessKey,
        secretAccessKey: CloudFake.awsSecretKey
    )

    private func client(_ fake: CloudFake, http: HTTPClient, secret: String = CloudFake.awsSecretKey, logger: Logger = .disabled)
        -> SNSClient
    {
        let credentials = AWSSignatureV4.Credentials(accessKeyID: CloudFake.awsAccessKey, secretAccessKey: secret)
        let settings = SNSSettings(credentials: credentials, region: "eu-west-1", endpoint: fake.baseURL, senderID: "Lifeline")
        return SNSClient(settings: settings, http: http, logger: logger)
    }

    /// A publish is accepted with the MessageId, conforms to botocore's Publish model, and its signature matches
    /// botocore's.
    @Test func acceptedWithMessageID() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let result = await client(fake, http: http).send(to: "+447700900123", body: "Gate B opens at 10:00")
        guard case .accepted(let id) = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        #expect(id.count == 36)

        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
        #expect(record.auth == "ok")
        #expect(record.fields["PhoneNumber"] == "+447700900123")
        #expect(record.fields["Message"] == "Gate B opens at 10:00")
        #expect(record.fields["MessageAttributes.entry.1.Name"] == "AWS.SNS.SMS.SMSType")
        #expect(record.fields["MessageAttributes.entry.1.Value.StringValue"] == "Transactional")
        #expect(record.fields["MessageAttributes.entry.2.Value.StringValue"] == "Lifeline")
    }

    /// Each scripted error lands in its class; a wrong secret key fails the signature and is unavailable.
    @Test(arguments: [
        ("+15005550001", CloudFake.awsSecretKey, "recipientError InvalidParameter"),
        ("+15005550004", CloudFake.awsSecretKey, "throttled -"),
        ("+15005550005", CloudFake.awsSecretKey, "unavailable"),
        ("+15005550010", CloudFake.awsSecretKey, "ambiguous"),
        ("+447700900123", "wrong-secret", "unavailable"),
    ])
    func scriptedErrors(recipient: String, secret: String, expected: String) async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let http = try HTTPClient(logger: .disabled)
        let result = await client(fake, http: http, secret: secret).send(to: recipient, body: "scripted")
        #expect(TwilioClientTests.summary(result) == expected, "\(result)")
        let record = try #require(try await FakeRecords.fetch(from: fake, client: http).first)
        #expect(record.conforms, "\(record.problems)")
        #expect(record.auth == (secret == CloudFake.awsSecretKey ? "ok" : "wrong"))
    }

    /// The secret key, the signature, the full number and the text stay out of every log line.
    @Test func secretsStayOutOfLogs() async throws {
        let fake = try await CloudFake.start()
        defer { withExtendedLifetime(fake) {} }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "cloud", level: .trace, handler: handler)
        let http = try HTTPClient(logger: logger)
        _ = await client(fake, http: http, logger: logger).send(to: "+447700900123", body: "secret meeting point")
        let lines = handler.records.map { StdoutLogHandler.format($0, prefixesPriority: false) }
        #expect(lines.count >= 2)
        for line in lines {
            for secret in [CloudFake.awsSecretKey, "Signature=", "+447700900123", "secret meeting"] {
                #expect(!line.contains(secret), "\(line)")
            }
        }
    }
}

/// Expected values were computed independently with botocore's SigV4Auth (botocore 1.44.8) at
/// 2026-12-04T17:00:00Z for the same method, URL, Content-Type and body.
@Suite struct AWSSignatureV4Tests {
    static let date = Date(timeIntervalSince1970: 1_796_403_600)
    static let body =
        "Action=Publish&Version=2010-03-31&PhoneNumber=%2B447700900123&Message=Gate%20B%20opens%20at%2010%3A00"
        + "&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String"
        + "&MessageAttributes.entry.1.Value.StringValue=Transactional"

    private func signed(url: String, body: String, sessionToken: String? = nil, region: String) -> HTTPRequest {
        var request = HTTPRequest(
            method: .post,
            url: url,
            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(body.utf8)
        )
        let credentials = AWSSignatureV4.Credentials(
            accessKeyID: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: sessionToken
        )
        AWSSignatureV4(credentials: credentials, region: region, service: "sns").sign(&request, date: Self.date)
        return request
    }

    /// A Publish to the regional endpoint carries botocore's Authorization header.
    @Test func matchesBotocorePublish() {
        let request = signed(url: "https://sns.eu-west-1.amazonaws.com/", body: Self.body, region: "eu-west-1")
        #expect(request.headerValue(named: "X-Amz-Date") == "20261204T170000Z")
        #expect(request.headerValue(named: "Host") == "sns.eu-west-1.amazonaws.com")
        #expect(
            request.headerValue(named: "Authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/eu-west-1/sns/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=42997e4eaa1591cd78208a5a6eef8a5150b605a2e2c6d5898c3e238e79b4b51f"
        )
    }

    /// An empty body and a session token with a port in the host match botocore too.
    @Test func matchesBotocoreVariants() {
        let empty = signed(url: "https://sns.eu-west-1.amazonaws.com/", body: "", region: "eu-west-1")
        #expect(empty.headerValue(named: "Authorization")?.hasSuffix(
            "Signature=f0d47f6bb75a1c2cc33931a44bcd5636bbb29d9605b0053bf53679af974bd0de") == true)

        let temporary = signed(url: "http://127.0.0.1:4566/", body: Self.body, sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN", region: "us-east-1")
        #expect(temporary.headerValue(named: "X-Amz-Security-Token") == "FQoGZXIvYXdzEXAMPLETOKEN")
        #expect(temporary.headerValue(named: "Host") == "127.0.0.1:4566")
        #expect(
            temporary.headerValue(named: "Authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/sns/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
                + "Signature=c9c8dfdb5a6a30be1ee703f56799414b445b8cf2e581bc3e71179226a8000f53"
        )
    }

    /// Signing twice replaces the earlier signature headers instead of adding more.
    @Test func resigningReplacesHeaders() {
        var request = signed(url: "https://sns.eu-west-1.amazonaws.com/", body: Self.body, region: "eu-west-1")
        let credentials = AWSSignatureV4.Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        AWSSignatureV4(credentials: credentials, region: "eu-west-1", service: "sns").sign(&request, date: Self.date)
        #expect(request.headers.filter { $0.name == "Authorization" }.count == 1)
        #expect(request.headers.filter { $0.name == "X-Amz-Date" }.count == 1)
        #expect(request.headerValue(named: "Authorization")?.hasSuffix("42997e4eaa1591cd78208a5a6eef8a5150b605a2e2c6d5898c3e238e79b4b51f") == true)
    }

    /// Credentials print redacted.
    @Test func credentialsPrintRedacted() {
        let credentials = AWSSignatureV4.Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI")
        #expect(!"\(credentials)".contains("wJalrXUtnFEMI"))
        #expect(!String(reflecting: credentials).contains("wJalrXUtnFEMI"))
    }
}
