/// One entry of `providers`: its id, its type's settings and its send rate.
///
/// The list order is the failover order: the router tries the first usable provider first.
public struct ProviderSettings: Sendable, Equatable {
    /// The provider types the config accepts, as written in `type:`.
    public enum ProviderType: String, Sendable, Equatable, CaseIterable {
        case twilio
        case vonage
        case sns
        case smpp
        case modem
    }

    /// The type-specific settings.
    public enum Kind: Sendable, Equatable {
        case twilio(TwilioSettings)
        case vonage(VonageSettings)
        case sns(SNSSettings)
        case smpp(SMPPSettings)
        case modem(ModemSettings)
    }

    /// Unique, lower-case letters, digits and `-`; used in the store, logs, metrics and webhook URLs.
    public var id: String
    public var kind: Kind
    /// The token bucket; `nil` when none is configured, leaving only the transport's own limits
    /// (an SMPP window, one send at a time on a modem).
    public var rate: RateLimitSettings?
    /// Replaces common characters outside GSM 7-bit (curly quotes, dashes, accented letters without
    /// a GSM code) with their nearest GSM form before sending through this provider, so a text stays
    /// in 7-bit segments; default `false`.
    public var transliterate: Bool
    /// Whether every box sharing a PostgreSQL queue lists this provider (`shared:`). A modem is
    /// plugged into one box, so it is never shared. Cloud and SMPP providers are shared by default.
    /// Each box sends only through the providers of its own config, so a shared provider is one
    /// every box's config lists, and a local one is listed by its box alone.
    public var isShared: Bool

    /// - Parameter shared: `nil` takes the type's default: `false` for a modem, `true` otherwise.
    public init(id: String, kind: Kind, rate: RateLimitSettings? = nil, transliterate: Bool = false, shared: Bool? = nil) {
        self.id = id
        self.kind = kind
        self.rate = rate
        self.transliterate = transliterate
        if case .modem = kind {
            self.isShared = false
        } else {
            self.isShared = shared ?? true
        }
    }

    public var type: ProviderType {
        switch kind {
        case .twilio: .twilio
        case .vonage: .vonage
        case .sns: .sns
        case .smpp: .smpp
        case .modem: .modem
        }
    }

    static func decode(_ value: ConfigValue) -> ProviderSettings? {
        value.mapping { reader in
            let idForm = "an id of lower-case letters, digits and -, such as carrier or modem-1"
            let id = reader.required("id", expected: idForm) {
                $0.string(expected: idForm, where: ValueShape.isIdentifier)
            }
            let type = reader.required(
                "type",
                expected: "one of " + ProviderType.allCases.map(\.rawValue).joined(separator: ", ")
            ) {
                $0.enumeration(ProviderType.self)
            }
            let rate = reader.optional("rate", RateLimitSettings.decode)
            let transliterate = reader.optional("transliterate") { $0.bool() } ?? false
            let shared = reader.optional("shared") { $0.bool() }
            guard let type else {
                // The other keys depend on the type, so they cannot be judged.
                reader.reportsUnknownKeys = false
                return nil
            }
            let kind: Kind? =
                switch type {
                case .twilio: TwilioSettings.decode(reader).map(Kind.twilio)
                case .vonage: VonageSettings.decode(reader).map(Kind.vonage)
                case .sns: SNSSettings.decode(reader).map(Kind.sns)
                case .smpp: SMPPSettings.decode(reader).map(Kind.smpp)
                case .modem: ModemSettings.decode(reader).map(Kind.modem)
                }
            guard let id, let kind else { return nil }
            if type == .modem, shared == true, let value = reader.child("shared") {
                return value.fail("a modem is plugged into one box and cannot be shared; remove shared: true")
            }
            return ProviderSettings(id: id, kind: kind, rate: rate, transliterate: transliterate, shared: shared)
        }
    }

    /// Decodes an API root URL and removes its trailing `/` characters, so that the effective
    /// config renders the same URL when it is loaded again.
    static func decodeBaseURL(_ value: ConfigValue) -> String? {
        guard var url = value.string(expected: "an http:// or https:// URL", where: ValueShape.hasHTTPSchemeAndHost) else {
            return nil
        }
        guard ValueShape.hasValidHTTPPort(url) else {
            return value.fail(
                "expected a port from 1 to 65535 after the host, got \(ConfigValue.quoted(url)); "
                    + "remove the ':' or give the port number"
            )
        }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
