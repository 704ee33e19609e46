import Testing

@testable import Config

/// Round trip of the effective config that `lifeline config check` prints, for a literal `${`.
struct EffectiveConfigDollarTests {
    /// A value containing a literal `${` (written `$${` in the file) renders to YAML that loads
    /// again to the same value.
    @Test func literalDollarBraceRoundTrips() throws {
        let yaml = """
            database: "/var/lib/lifeline/q$${x}.db"
            providers:
              - id: modem-1
                type: modem
                device: /dev/ttyUSB0
            """
        let first = try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:]).config
        #expect(first.database == "/var/lib/lifeline/q${x}.db")
        let rendered = first.renderEffective()
        let second = try LifelineConfig.parse(yaml: rendered, fileName: "rendered.yaml", environment: [:]).config
        #expect(second.database == first.database)
    }
}
