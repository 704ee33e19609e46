import Foundation
import Testing

@testable import Config

/// The configuration half of field case SMPP-03: an SMPP 3.4 password has at most 8
/// characters, and a longer one is rejected at load unless explicitly allowed, never cut short.
@Suite struct SMPPFieldCaseTests {
    private struct BindConfig {
        var systemID: String
        var password: String
        var allowLongPassword: Bool
    }

    private static func bindConfig(_ name: String) throws -> BindConfig {
        let url = URL(fileURLWithPath: ConfigFixtures.packageRoot + "/Tests/Fixtures/field-cases.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let smpp03 = try #require(cases.first { $0["id"] as? String == "SMPP-03" })
        let input = try #require(smpp03["input"] as? [String: Any])
        let config = try #require(input[name] as? [String: Any])
        return BindConfig(
            systemID: try #require(config["system_id"] as? String),
            password: try #require(config["password"] as? String),
            allowLongPassword: config["allow_nonstandard_password_length"] as? Bool ?? false
        )
    }

    private static func yaml(_ bind: BindConfig) -> String {
        """
        database: /tmp/lifeline.db
        providers:
          - id: carrier
            type: smpp
            host: 127.0.0.1
            system_id: \(bind.systemID)
            password: ${SMPP_PASSWORD}
            allow_long_password: \(bind.allowLongPassword)
        """
    }

    /// The 8-character password of bind_ok_config loads unchanged.
    @Test func eightCharacterPassword() throws {
        let bind = try Self.bindConfig("bind_ok_config")
        let config = try LifelineConfig.parse(
            yaml: Self.yaml(bind),
            fileName: "lifeline.yaml",
            environment: ["SMPP_PASSWORD": bind.password]
        ).config

        guard case .smpp(let smpp) = config.providers[0].kind else {
            Issue.record("provider is not smpp")
            return
        }
        #expect(smpp.systemID == "gw-test01")
        #expect(smpp.password.revealed == bind.password)
    }

    /// A 9-character password without the opt-in is rejected before any connection.
    @Test func longPasswordRejected() throws {
        let bind = try Self.bindConfig("bind_long_password_config")
        let issues = ConfigFixtures.issues(Self.yaml(bind), environment: ["SMPP_PASSWORD": bind.password])

        #expect(issues.map(\.path) == ["providers[0].password"])
        #expect(issues.first?.message.contains("9 characters but SMPP 3.4 allows at most 8") == true)
        #expect(issues.first?.message.contains(bind.password) == false)
        #expect(issues.first?.message.contains("Pa55w0rd") == false)
    }

    /// With the opt-in, the 9-character password is kept whole.
    @Test func longPasswordOptIn() throws {
        let bind = try Self.bindConfig("bind_long_password_config_opt_in")
        let config = try LifelineConfig.parse(
            yaml: Self.yaml(bind),
            fileName: "lifeline.yaml",
            environment: ["SMPP_PASSWORD": bind.password]
        ).config

        guard case .smpp(let smpp) = config.providers[0].kind else {
            Issue.record("provider is not smpp")
            return
        }
        #expect(smpp.allowLongPassword)
        #expect(smpp.password.revealed == "Pa55w0rd9")
    }
}
