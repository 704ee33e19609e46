import Foundation
import Testing

@testable import Config

@Suite struct ExampleConfigTests {
    /// The shipped example loads without issues once its credentials exist.
    @Test func exampleLoads() throws {
        let credentials = try TemporaryDirectory()
        try ConfigFixtures.writeCredentials(into: credentials)
        let loaded = try LifelineConfig.load(
            path: ConfigFixtures.exampleConfigPath,
            environment: ["CREDENTIALS_DIRECTORY": credentials.path]
        )
        let config = loaded.config

        #expect(loaded.warnings.isEmpty)
        #expect(config.database == "/var/lib/lifeline/lifeline.db")
        #expect(config.logLevel == .info)
        #expect(config.defaultRegion == "GB")
        #expect(config.http?.listenHost == "127.0.0.1")
        #expect(config.http?.listenPort == 8080)
        #expect(config.http?.publicURL == "https://lifeline.example.edu")
        #expect(config.admins == ["+447700900123"])
        #expect(config.templates["room_change"] == "Hello {name}, your session is now in room {room}")
        #expect(config.apiTokens.map(\.name) == ["ops", "timetabling"])
        #expect(config.apiTokens.first?.role == .admin)
        #expect(config.apiTokens.first?.token.revealed == ConfigFixtures.secrets["ops.token"])
        #expect(config.providers.map(\.id) == ["twilio", "carrier", "modem-1"])
    }

    /// Each provider of the example carries its type's settings, secrets read from the credential files.
    @Test func exampleProviders() throws {
        let credentials = try TemporaryDirectory()
        try ConfigFixtures.writeCredentials(into: credentials)
        let config = try LifelineConfig.load(
            path: ConfigFixtures.exampleConfigPath,
            environment: ["CREDENTIALS_DIRECTORY": credentials.path]
        ).config

        guard case .twilio(let twilio) = config.providers[0].kind else {
            Issue.record("first provider is not twilio")
            return
        }
        #expect(twilio.accountSID == "AC0123456789abcdef0123456789abcdef")
        #expect(twilio.authToken.revealed == ConfigFixtures.secrets["twilio.token"])
        #expect(twilio.authToken.source == .file(path: credentials.path + "/twilio.token"))
        #expect(twilio.from == "+15550100")
        #expect(twilio.timeouts.request == .seconds(5))
        #expect(twilio.timeouts.connect == .seconds(2))
        #expect(config.providers[0].rate == RateLimitSettings(perSecond: 10, burst: 20))

        guard case .smpp(let smpp) = config.providers[1].kind else {
            Issue.record("second provider is not smpp")
            return
        }
        #expect(smpp.host == "127.0.0.1")
        #expect(smpp.port == 2775)
        #expect(smpp.systemID == "campus")
        #expect(smpp.password.revealed == "Pa55w0rd")
        #expect(smpp.bind == .transceiver)
        #expect(smpp.window == 10)
        #expect(smpp.enquireLink == .seconds(30))
        #expect(smpp.responseTimeout == .seconds(10))
        #expect(smpp.source == "LIFELINE")
        #expect(smpp.dataCodingGSM == .unpacked)
        #expect(smpp.messageIDFormat == .asIs)

        guard case .modem(let modem) = config.providers[2].kind else {
            Issue.record("third provider is not a modem")
            return
        }
        #expect(modem.device == "/dev/serial/by-id/usb-example-if00")
        #expect(modem.baud == 115200)
        #expect(modem.pin?.revealed == "4321")
        #expect(modem.statusReports)
        #expect(config.providers[2].rate == RateLimitSettings(perSecond: 0.5, burst: 2))
    }

    /// The example's effective config is valid YAML, masks every secret and names where each came from.
    @Test func exampleRendersMasked() throws {
        let credentials = try TemporaryDirectory()
        try ConfigFixtures.writeCredentials(into: credentials)
        let config = try LifelineConfig.load(
            path: ConfigFixtures.exampleConfigPath,
            environment: ["CREDENTIALS_DIRECTORY": credentials.path]
        ).config
        let rendered = config.renderEffective()

        for (name, secret) in ConfigFixtures.secrets {
            #expect(!rendered.contains(secret), "secret from \(name) appears in the rendered config")
        }
        #expect(rendered.contains("password: \"********\"  # from file \(credentials.path)/smpp.password"))
        #expect(rendered.contains("delivery_deadline: {emergency: 2m, high: 5m, normal: 30m, bulk: 2h}"))
        #expect(rendered.contains("rate: {per_second: 0.5, burst: 2}"))
        #expect(try YAMLLoader(fileName: "rendered.yaml").load(rendered) != nil)
    }
}
