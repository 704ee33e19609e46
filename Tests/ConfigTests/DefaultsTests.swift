import Testing

@testable import Config

@Suite struct DefaultsTests {
    /// A minimal config gets every documented default.
    @Test func minimalConfigDefaults() throws {
        let yaml = """
            database: /tmp/lifeline.db
            providers:
              - id: modem-1
                type: modem
                device: /dev/ttyUSB0
            """
        let config = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config

        #expect(config.logLevel == .info)
        #expect(config.defaultRegion == nil)
        #expect(config.http == nil)
        #expect(config.queue == QueueSettings())
        #expect(config.queue.maxAttempts == 5)
        #expect(config.queue.lease == .seconds(30))
        #expect(config.queue.onAmbiguous == .failover)
        #expect(
            config.queue.deliveryDeadline
                == PriorityDurations(
                    emergency: .seconds(120),
                    high: .seconds(300),
                    normal: .seconds(1800),
                    bulk: .seconds(7200)
                )
        )
        #expect(
            config.queue.maxWait
                == PriorityDurations(
                    emergency: .seconds(2),
                    high: .seconds(10),
                    normal: .seconds(60),
                    bulk: .seconds(600)
                )
        )
        #expect(config.queue.maxSegments == 6)
        #expect(config.breaker.failureThreshold == 3)
        #expect(config.breaker.cooldown == .seconds(30))
        #expect(config.admins.isEmpty)
        #expect(config.templates.isEmpty)
        #expect(config.apiTokens.isEmpty)
        #expect(config.providers[0].rate == nil)
        #expect(config.providers[0].kind == .modem(ModemSettings(device: "/dev/ttyUSB0")))
    }

    /// SMPP and HTTP provider settings fall back to their defaults.
    @Test func providerDefaults() throws {
        let yaml = """
            database: /tmp/lifeline.db
            http:
              public_url: https://sms.example.edu
            queue:
              delivery_deadline: {normal: 10m}
            providers:
              - id: carrier
                type: smpp
                host: smsc.example.net
                system_id: campus
                password: x
              - id: twilio
                type: twilio
                account_sid: AC0123
                auth_token: y
                from: "+15550100"
                rate: {per_second: 2.5}
            """
        let config = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config

        #expect(config.http?.listen == "127.0.0.1:8080")
        #expect(config.queue.deliveryDeadline.normal == .seconds(600))
        #expect(config.queue.deliveryDeadline.emergency == .seconds(120))
        #expect(config.queue.deliveryDeadline[priorityName: "bulk"] == .seconds(7200))
        guard case .smpp(let smpp) = config.providers[0].kind, case .twilio(let twilio) = config.providers[1].kind
        else {
            Issue.record("providers have the wrong types")
            return
        }
        #expect(smpp.port == 2775)
        #expect(smpp.systemType == "")
        #expect(smpp.bind == .transceiver)
        #expect(smpp.window == 10)
        #expect(smpp.enquireLink == .seconds(30))
        #expect(smpp.responseTimeout == .seconds(10))
        #expect(smpp.source == nil)
        #expect(!smpp.allowLongPassword)
        #expect(smpp.dataCodingGSM == .unpacked)
        #expect(smpp.messageIDFormat == .asIs)
        #expect(twilio.baseURL == "https://api.twilio.com")
        #expect(twilio.timeouts == HTTPTimeouts())
        #expect(config.providers[1].rate == RateLimitSettings(perSecond: 2.5, burst: 3))
    }

    /// An empty optional section is the same as leaving it out.
    @Test func emptySectionsUseDefaults() throws {
        let yaml = """
            database: /tmp/lifeline.db
            queue:
            breaker:
            templates:
            providers:
              - id: modem-1
                type: modem
                device: /dev/ttyUSB0
            """
        let config = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config

        #expect(config.queue == QueueSettings())
        #expect(config.breaker == BreakerSettings())
        #expect(config.templates.isEmpty)
    }

    /// `listen` takes IPv4, host names and bracketed IPv6 addresses.
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("[::1]:9000", "::1", 9000),
        ("[::]:80", "::", 80),
        ("gateway.local:8443", "gateway.local", 8443),
    ])
    func httpListenForms(listen: String, host: String, port: Int) throws {
        let yaml =
            "database: /tmp/l.db\nhttp:\n  listen: \"\(listen)\"\n"
            + "providers:\n  - {id: m, type: modem, device: /dev/ttyUSB0}\n"
        let http = try #require(
            try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config.http
        )

        #expect(http.listenHost == host)
        #expect(http.listenPort == port)
        #expect(http.listen == listen)
    }
}

@Suite struct RenderingTests {
    /// The rendered config loads back to the same settings, including text that needs quoting.
    @Test func renderedConfigReloads() throws {
        let yaml = """
            database: "/var/lib/life line/lifeline.db"
            log_level: debug
            default_region: NO
            http:
              listen: "[::]:8080"
            queue:
              on_ambiguous: wait
              max_wait: {bulk: 1500ms}
            admins: ["+447700900123", "+447700900124"]
            templates:
              quoted: "Say \\"yes\\": reply #1 or 'no'\\tthen wait"
              yes: "true"
            providers:
              - id: carrier
                type: smpp
                host: smsc.example.net
                system_id: "0123"
                system_type: "null"
                password: ${SMPP_PASSWORD}
                source: "12345678"
                message_id_format: hex
              - id: aws
                type: sns
                region: eu-west-2
                access_key_id: AKIAEXAMPLE
                secret_access_key: ${AWS_SECRET}
                sender_id: Campus
            """
        let environment = ["SMPP_PASSWORD": "Pa55w0rd", "AWS_SECRET": "aws-secret"]
        let first = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: environment).config
        let rendered = first.renderEffective()
        let second = try LifelineConfig.parse(yaml: rendered, fileName: "rendered.yaml", environment: [:]).config

        var expected = first
        for index in expected.providers.indices {
            switch expected.providers[index].kind {
            case .smpp(var smpp):
                smpp.password = Secret(Secret.mask, source: .inline)
                expected.providers[index].kind = .smpp(smpp)
            case .sns(var sns):
                sns.secretAccessKey = Secret(Secret.mask, source: .inline)
                sns.endpoint = sns.effectiveEndpoint
                expected.providers[index].kind = .sns(sns)
            default:
                break
            }
        }
        #expect(second == expected)
        #expect(second.templates["quoted"] == "Say \"yes\": reply #1 or 'no'\tthen wait")
        #expect(second.templates["yes"] == "true")
    }
}
