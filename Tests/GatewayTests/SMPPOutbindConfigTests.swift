import Config
import SMPP
import Testing

@testable import Gateway

/// The `outbind_system_id` key, from the YAML file to the link's outbind listener.
struct SMPPOutbindConfigTests {
    func load(_ extra: String) throws -> LoadedConfig {
        try LifelineConfig.parse(
            yaml: """
                database: /tmp/lifeline.db
                providers:
                  - id: carrier
                    type: smpp
                    host: smsc.example.net
                    system_id: campus
                    password: Pa55w0rd
                \(extra)
                """,
            fileName: "lifeline.yaml",
            environment: [:]
        )
    }

    func listener(_ extra: String) throws -> SMPPOutbindListener? {
        guard case .smpp(let settings) = try load(extra).config.providers[0].kind else {
            Issue.record("not an SMPP provider")
            return nil
        }
        return SMPPProvider.linkSettings(settings).outbindListener
    }

    /// Without the key the outbind must carry the link's own system_id; with it, the name given.
    @Test func outbindSystemIDReachesTheLink() throws {
        #expect(try listener("    outbind_port: 2776")?.systemID == nil)
        #expect(try listener("    outbind_port: 2776\n    outbind_system_id: SMSC01")?.systemID == "SMSC01")
    }

    /// The key without outbind_port, or longer than a system_id may be, is rejected at load.
    @Test(arguments: [
        "    outbind_system_id: SMSC01",
        "    outbind_port: 2776\n    outbind_system_id: SIXTEEN-CHARS-ID",
    ])
    func invalidOutbindSystemIDIsRejected(extra: String) {
        #expect(throws: (any Error).self) { try load(extra) }
    }
}
