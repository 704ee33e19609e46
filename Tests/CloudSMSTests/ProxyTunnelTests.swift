import Diagnostics
import Foundation
import Testing

@testable import CloudSMS

/// HTTPS sends through a `CONNECT` tunnel: the provider fake (Tests/Peers/cloud_fake.py) behind a
/// TLS front (Tests/Peers/tls_proxy.py) whose certificate a throwaway CA signed, reached through
/// Tests/Peers/counting_proxy.py, which records every `CONNECT` it receives. All on 127.0.0.1.
@Suite(.timeLimit(.minutes(2)))
struct ProxyTunnelTests {
    static let proxyUser = "campus"
    static let proxyPassword = "tunnel-secret-31"
    static let recipient = "+447700900123"

    /// The provider fake, its HTTPS front and the CA that signed the front's certificate.
    /// Releasing it stops both peers and deletes the certificates.
    final class HTTPSProvider {
        let fake: CloudFake
        let front: PeerServer
        let authority: TestCertificateAuthority
        let port: Int

        var baseURL: String { "https://127.0.0.1:\(port)" }

        init(fake: CloudFake, front: PeerServer, authority: TestCertificateAuthority, port: Int) {
            self.fake = fake
            self.front = front
            self.authority = authority
            self.port = port
        }

        deinit {
            authority.remove()
        }

        static func start() async throws -> HTTPSProvider {
            let fake = try await CloudFake.start()
            let authority = try await TestCertificateAuthority.make(name: "cloud")
            do {
                let front = try await PeerServer.start(
                    script: "tls_proxy.py",
                    arguments: [
                        "--cert", authority.serverCertificatePath, "--key", authority.serverKeyPath,
                        "--upstream", "\(fake.port)", "--lifetime", "120",
                    ]
                )
                let port = try #require(front.port)
                return HTTPSProvider(fake: fake, front: front, authority: authority, port: port)
            } catch {
                authority.remove()
                throw error
            }
        }
    }

    /// Starts the recording proxy, which wants `proxyUser` and `proxyPassword`.
    private static func startProxy(extra: [String] = []) async throws -> (server: PeerServer, port: Int) {
        let server = try await PeerServer.start(
            script: "counting_proxy.py",
            arguments: ["--lifetime", "120", "--user", proxyUser, "--password", proxyPassword] + extra
        )
        return (server, try #require(server.port))
    }

    private static func proxyRecords(port: Int, http: HTTPClient) async throws -> [ProviderProxyTests.ProxyRecord] {
        let response = try await http.execute(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/_proxy/requests"))
        return try JSONDecoder().decode([ProviderProxyTests.ProxyRecord].self, from: Data(response.body))
    }

    private static func proxy(port: Int, password: String = proxyPassword) -> HTTPProxy {
        HTTPProxy(url: "http://127.0.0.1:\(port)", credentials: BasicCredentials(username: proxyUser, password: password))
    }

    private static func twilio(_ baseURL: String, proxy: HTTPProxy?, caFile: String?, http: HTTPClient, logger: Logger = .disabled)
        -> TwilioClient
    {
        let settings = TwilioSettings(
            accountSID: CloudFake.accountSID,
            credentials: .authToken(CloudFake.authToken),
            sender: .phoneNumber("+15005550006"),
            baseURL: baseURL,
            proxy: proxy,
            caFile: caFile
        )
        return TwilioClient(settings: settings, http: http, logger: logger)
    }

    private static func vonage(_ baseURL: String, proxy: HTTPProxy?, caFile: String?, http: HTTPClient, logger: Logger = .disabled)
        -> VonageClient
    {
        let settings = VonageSettings(
            apiKey: CloudFake.vonageKey,
            apiSecret: CloudFake.vonageSecret,
            sender: "Campus",
            baseURL: baseURL,
            proxy: proxy,
            caFile: caFile
        )
        return VonageClient(settings: settings, http: http, logger: logger)
    }

    private static func sns(_ baseURL: String, proxy: HTTPProxy?, caFile: String?, http: HTTPClient, logger: Logger = .disabled)
        -> SNSClient
    {
        let settings = SNSSettings(
            credentials: AWSSignatureV4.Credentials(accessKeyID: CloudFake.awsAccessKey, secretAccessKey: CloudFake.awsSecretKey),
            region: "eu-west-1",
            endpoint: baseURL,
            proxy: proxy,
            caFile: caFile
        )
        return SNSClient(settings: settings, http: http, logger: logger)
    }

    /// Returns every formatted log line, for searching for secrets.
    private static func lines(_ handler: InMemoryLogHandler) -> [String] {
        handler.records.map { StdoutLogHandler.format($0, prefixesPriority: false) }
    }

    /// Twilio, Vonage and SNS sends and a Twilio probe reach the HTTPS fake through the tunnel and are
    /// accepted; the proxy saw only `CONNECT 127.0.0.1:<port>` with its credentials, and no log line or
    /// result contains the proxy password.
    @Test func httpsSendsGoThroughTheTunnel() async throws {
        let provider = try await HTTPSProvider.start()
        let (proxyServer, proxyPort) = try await Self.startProxy()
        defer { withExtendedLifetime((provider, proxyServer)) {} }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "cloud", level: .trace, handler: handler)
        let http = try HTTPClient(logger: logger)
        let proxy = Self.proxy(port: proxyPort)
        let caFile = provider.authority.caPath

        let results = [
            await Self.twilio(provider.baseURL, proxy: proxy, caFile: caFile, http: http, logger: logger)
                .send(to: Self.recipient, body: "through the tunnel"),
            await Self.vonage(provider.baseURL, proxy: proxy, caFile: caFile, http: http, logger: logger)
                .send(to: Self.recipient, body: "through the tunnel"),
            await Self.sns(provider.baseURL, proxy: proxy, caFile: caFile, http: http, logger: logger)
                .send(to: Self.recipient, body: "through the tunnel"),
        ]
        #expect(results.map(TwilioClientTests.summary) == ["accepted", "accepted", "accepted"], "\(results)")
        let probe = await Self.twilio(provider.baseURL, proxy: proxy, caFile: caFile, http: http).probe()
        #expect(probe == .healthy, "\(probe)")

        let tunnels = try await Self.proxyRecords(port: proxyPort, http: http)
        #expect(!tunnels.isEmpty)
        for tunnel in tunnels {
            #expect(tunnel.method == "CONNECT", "\(tunnel)")
            #expect(tunnel.target == "127.0.0.1:\(provider.port)", "\(tunnel)")
            #expect(tunnel.auth == "ok")
            #expect(tunnel.forwarded)
        }
        let requests = try await FakeRecords.fetch(from: provider.fake, client: http)
        #expect(requests.map(\.path).filter { !$0.hasPrefix("/_fake") }.count == 4, "\(requests.map(\.path))")
        for request in requests {
            #expect(request.conforms, "\(request.path): \(request.problems)")
            #expect(request.auth == "ok", "\(request.path)")
            #expect(!request.proxied, "a tunnelled request arrives in origin form: \(request.path)")
        }
        let logLines = Self.lines(handler)
        #expect(!logLines.isEmpty)
        for text in logLines + results.map({ "\($0)" }) {
            #expect(!text.contains(Self.proxyPassword), "\(text)")
        }
    }

    /// Without the CA file, or with another CA's file, the fake's certificate is not trusted: the
    /// send is unavailable with a TLS reason, and nothing reaches the fake.
    @Test func caFileDecidesTrust() async throws {
        let provider = try await HTTPSProvider.start()
        let other = try await TestCertificateAuthority.make(name: "other")
        defer { other.remove() }
        let (proxyServer, proxyPort) = try await Self.startProxy()
        defer { withExtendedLifetime((provider, proxyServer)) {} }
        let http = try HTTPClient(logger: .disabled)
        let proxy = Self.proxy(port: proxyPort)

        for caFile in [nil, other.caPath] {
            let result = await Self.twilio(provider.baseURL, proxy: proxy, caFile: caFile, http: http)
                .send(to: Self.recipient, body: "untrusted")
            #expect(TwilioClientTests.summary(result) == "unavailable", "\(result)")
            #expect("\(result)".contains("tlsFailure"), "\(result)")
        }
        let requests = try await FakeRecords.fetch(from: provider.fake, client: http)
        #expect(requests.filter { !$0.path.hasPrefix("/_fake") }.isEmpty)
    }

    /// How a proxy turns a tunnel down, and the words the error must carry.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var proxyArguments: [String]
        var password: String
        var status: String
        var fix: String
        var testDescription: String { name }
    }

    static let refusals = [
        Refusal(
            name: "CONNECT forbidden",
            proxyArguments: ["--refuse-connect", "403"],
            password: proxyPassword,
            status: "HTTP 403",
            fix: "allow CONNECT to 127.0.0.1:"
        ),
        Refusal(
            name: "wrong proxy password",
            proxyArguments: [],
            password: "not-the-tunnel-secret",
            status: "HTTP 407",
            fix: "set proxy_username and proxy_password_file"
        ),
    ]

    /// A proxy that responds to `CONNECT` with 403 or 407 makes Twilio and Vonage unavailable (not
    /// ambiguous), with a reason naming the proxy, the status and the fix, and never a password.
    @Test(arguments: refusals)
    func refusedTunnelIsUnavailable(_ refusal: Refusal) async throws {
        let provider = try await HTTPSProvider.start()
        let (proxyServer, proxyPort) = try await Self.startProxy(extra: refusal.proxyArguments)
        defer { withExtendedLifetime((provider, proxyServer)) {} }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "cloud", level: .trace, handler: handler)
        let http = try HTTPClient(logger: logger)
        let proxy = Self.proxy(port: proxyPort, password: refusal.password)
        let caFile = provider.authority.caPath

        let results = [
            await Self.twilio(provider.baseURL, proxy: proxy, caFile: caFile, http: http, logger: logger)
                .send(to: Self.recipient, body: "refused"),
            await Self.vonage(provider.baseURL, proxy: proxy, caFile: caFile, http: http, logger: logger)
                .send(to: Self.recipient, body: "refused"),
        ]
        for result in results {
            let text = "\(result)"
            #expect(TwilioClientTests.summary(result) == "unavailable", "\(text)")
            #expect(text.contains("the proxy http://127.0.0.1:\(proxyPort) rejected the tunnel"), "\(text)")
            #expect(text.contains(refusal.status), "\(text)")
            #expect(text.contains(refusal.fix), "\(text)")
        }
        let tunnels = try await Self.proxyRecords(port: proxyPort, http: http)
        #expect(tunnels.count == 2)
        #expect(tunnels.allSatisfy { $0.method == "CONNECT" })
        #expect(tunnels.allSatisfy { !$0.forwarded })
        let requests = try await FakeRecords.fetch(from: provider.fake, client: http)
        #expect(requests.filter { !$0.path.hasPrefix("/_fake") }.isEmpty)
        let secrets = [Self.proxyPassword, refusal.password, CloudFake.authToken, CloudFake.vonageSecret]
        for text in Self.lines(handler) + results.map({ "\($0)" }) {
            for secret in secrets {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }

    /// A proxy URL with `user:password@` is refused before anything is sent, and the error, the
    /// logs and the proxy's description show the user name with the password masked.
    @Test func passwordInProxyURLIsRefusedAndMasked() async throws {
        let provider = try await HTTPSProvider.start()
        let (proxyServer, proxyPort) = try await Self.startProxy()
        defer { withExtendedLifetime((provider, proxyServer)) {} }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "cloud", level: .trace, handler: handler)
        let http = try HTTPClient(logger: logger)
        let proxy = HTTPProxy(url: "http://\(Self.proxyUser):\(Self.proxyPassword)@127.0.0.1:\(proxyPort)")

        let result = await Self.twilio(provider.baseURL, proxy: proxy, caFile: provider.authority.caPath, http: http, logger: logger)
            .send(to: Self.recipient, body: "x")

        #expect(TwilioClientTests.summary(result) == "unavailable", "\(result)")
        #expect("\(result)".contains("http://campus:***@127.0.0.1:\(proxyPort)"), "\(result)")
        #expect("\(result)".contains("proxy_username"), "\(result)")
        #expect("\(proxy)" == "HTTPProxy(http://campus:***@127.0.0.1:\(proxyPort))")
        for text in Self.lines(handler) + ["\(result)", "\(proxy)", String(reflecting: proxy)] {
            #expect(!text.contains(Self.proxyPassword), "\(text)")
        }
        #expect(try await Self.proxyRecords(port: proxyPort, http: http).isEmpty)
    }

    /// `redactedURL` masks only a password, wherever the authority ends.
    @Test(arguments: [
        ("http://proxy.campus.example:3128", "http://proxy.campus.example:3128"),
        ("http://user@proxy:3128", "http://user@proxy:3128"),
        ("http://user:pa@ss@proxy:3128/", "http://user:***@proxy:3128/"),
        ("https://u:p@proxy?x=a@b", "https://u:***@proxy?x=a@b"),
        ("http://proxy:3128/path@here", "http://proxy:3128/path@here"),
    ])
    func redactedURLMasksPassword(url: String, expected: String) {
        #expect(HTTPProxy(url: url).redactedURL == expected)
    }
}
