import Foundation
import Testing

@testable import CloudSMS

/// A provider's own proxy, through Tests/Peers/counting_proxy.py, a forwarding proxy on loopback
/// that records every request it forwards.
@Suite struct ProviderProxyTests {
    static let proxyUser = "campus"
    static let proxyPassword = "proxy-secret-77"

    /// One request as the proxy recorded it.
    struct ProxyRecord: Decodable {
        var method: String
        var target: String
        var auth: String
        var forwarded: Bool
    }

    private static func records(_ proxy: PeerServer, http: HTTPClient) async throws -> [ProxyRecord] {
        let port = try #require(proxy.port)
        let response = try await http.execute(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/_proxy/requests"))
        return try JSONDecoder().decode([ProxyRecord].self, from: Data(response.body))
    }

    private static func twilio(_ fake: CloudFake, http: HTTPClient, proxy: HTTPProxy?) -> TwilioClient {
        TwilioClient(
            settings: TwilioSettings(
                accountSID: CloudFake.accountSID,
                credentials: .authToken(CloudFake.authToken),
                sender: .phoneNumber("+15005550006"),
                baseURL: fake.baseURL,
                proxy: proxy
            ),
            http: http,
            logger: .disabled
        )
    }

    /// The provider's proxy forwards its send once, with the proxy credentials. A host in
    /// `noProxy` and a provider without a proxy bypass it.
    @Test func proxyCarriesProviderRequests() async throws {
        let fake = try await CloudFake.start()
        let proxy = try await PeerServer.start(
            script: "counting_proxy.py",
            arguments: ["--lifetime", "120", "--user", Self.proxyUser, "--password", Self.proxyPassword]
        )
        defer { withExtendedLifetime((fake, proxy)) {} }
        let proxyPort = try #require(proxy.port)
        let http = try HTTPClient(logger: .disabled)
        let credentials = BasicCredentials(username: Self.proxyUser, password: Self.proxyPassword)
        let viaProxy = HTTPProxy(url: "http://127.0.0.1:\(proxyPort)", credentials: credentials)

        let first = await Self.twilio(fake, http: http, proxy: viaProxy).send(to: "+447700900123", body: "via proxy")
        #expect(TwilioClientTests.summary(first) == "accepted", "\(first)")
        var records = try await Self.records(proxy, http: http)
        #expect(records.count == 1)
        #expect(records.first?.forwarded == true)
        #expect(records.first?.auth == "ok")
        #expect(records.first?.method == "POST")
        #expect(records.first?.target.hasPrefix("http://127.0.0.1:\(fake.port)/2010-04-01/Accounts/") == true)

        var bypass = viaProxy
        bypass.noProxy = ["localhost", "127.0.0.1"]
        let second = await Self.twilio(fake, http: http, proxy: bypass).send(to: "+447700900123", body: "direct")
        #expect(TwilioClientTests.summary(second) == "accepted", "\(second)")
        let direct = await Self.twilio(fake, http: http, proxy: nil).send(to: "+447700900123", body: "no proxy")
        #expect(TwilioClientTests.summary(direct) == "accepted", "\(direct)")
        records = try await Self.records(proxy, http: http)
        #expect(records.count == 1, "no_proxy and a provider without a proxy go direct: \(records.map(\.target))")
        #expect(try await FakeRecords.fetch(from: fake, client: http).count == 3)
    }

    /// A proxy that refuses the credentials (407) makes the provider unavailable, and nothing is forwarded.
    @Test func rejectedProxyCredentialsAreUnavailable() async throws {
        let fake = try await CloudFake.start()
        let proxy = try await PeerServer.start(
            script: "counting_proxy.py",
            arguments: ["--lifetime", "120", "--user", Self.proxyUser, "--password", Self.proxyPassword]
        )
        defer { withExtendedLifetime((fake, proxy)) {} }
        let proxyPort = try #require(proxy.port)
        let http = try HTTPClient(logger: .disabled)
        let wrong = HTTPProxy(
            url: "http://127.0.0.1:\(proxyPort)",
            credentials: BasicCredentials(username: Self.proxyUser, password: "not-it")
        )

        let result = await Self.twilio(fake, http: http, proxy: wrong).send(to: "+447700900123", body: "x")

        #expect(TwilioClientTests.summary(result) == "unavailable", "\(result)")
        #expect("\(result)".contains("407"), "\(result)")
        #expect(!"\(result)".contains("not-it"))
        let records = try await Self.records(proxy, http: http)
        #expect(records.map(\.auth) == ["wrong"])
        #expect(records.allSatisfy { !$0.forwarded })
        #expect(try await FakeRecords.fetch(from: fake, client: http).isEmpty)
    }

    /// Vonage and SNS requests carry their settings' proxy too.
    @Test func everyProviderRequestCarriesItsProxy() throws {
        let proxy = HTTPProxy(url: "http://proxy.campus.example:3128", noProxy: [".campus.example"])
        let http = try HTTPClient(logger: .disabled)
        let vonage = VonageClient(
            settings: VonageSettings(apiKey: "abcd1234", apiSecret: "s", sender: "Campus", proxy: proxy),
            http: http,
            logger: .disabled
        )
        #expect(vonage.makeRequest(to: "+447700900123", body: "x", clientReference: nil).proxy == proxy)
        let sns = SNSClient(
            settings: SNSSettings(
                credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
                region: "eu-west-1",
                proxy: proxy
            ),
            http: http,
            logger: .disabled
        )
        #expect(sns.makeRequest(to: "+447700900123", body: "x", date: Date()).proxy == proxy)
    }
}
