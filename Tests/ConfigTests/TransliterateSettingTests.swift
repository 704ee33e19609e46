import Testing

@testable import Config

@Suite struct TransliterateSettingTests {
    static let yaml = """
        database: /tmp/lifeline.db
        providers:
          - id: modem-1
            type: modem
            device: /dev/ttyUSB0
            transliterate: true
          - id: modem-2
            type: modem
            device: /dev/ttyUSB1

        """

    /// `transliterate` is read per provider, defaults to false, and is printed back when set.
    @Test func parsesAndRenders() throws {
        let config = try LifelineConfig.parse(yaml: Self.yaml, fileName: "lifeline.yaml", environment: [:]).config
        #expect(config.providers[0].transliterate)
        #expect(!config.providers[1].transliterate)
        #expect(config.renderEffective().contains("transliterate: true"))
    }

    /// A value other than true or false is an error at its position.
    @Test func rejectsNonBoolean() {
        let yaml = Self.yaml.replacingOccurrences(of: "transliterate: true", with: "transliterate: yes")
        #expect(throws: ConfigError.self) {
            try LifelineConfig.parse(yaml: yaml, fileName: "lifeline.yaml", environment: [:])
        }
    }
}
