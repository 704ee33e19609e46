import CloudSMS
import Config
import Diagnostics
import Store

/// Builds the provider pool from the config, in the config's order.
public enum ProviderFactory {
    /// - Throws: an SMPP settings error for a link SMPP 3.4 does not allow (the config loader
    ///   already rejects the common cases, so this is a second line of defence), or
    ///   `OptionalLibraryError` when a cloud provider is configured and libcurl cannot be loaded.
    /// - Parameter inbound: receives the messages that modems and SMPP links receive; `nil` drops them.
    public static func makeProviders(
        config: LifelineConfig,
        logger: Logger,
        inbound: InboundMessageHandler? = nil
    ) throws -> [any Provider] {
        // Made for the first cloud provider, so a pool without one never loads libcurl.
        var shared: HTTPClient?
        func http() throws -> HTTPClient {
            if let shared { return shared }
            let made = try HTTPClient(logger: logger.child(label: "http"))
            shared = made
            return made
        }
        let publicURL = config.http?.publicURL
        return try config.providers.map { provider throws -> any Provider in
            let base = try makeProvider(
                provider,
                publicURL: publicURL,
                http: http,
                inbound: inbound,
                logger: logger.child(label: "provider")
            )
            return provider.transliterate ? TransliteratingProvider(wrapping: base, logger: logger.child(label: "provider")) : base
        }
    }

    private static func makeProvider(
        _ provider: ProviderSettings,
        publicURL: String?,
        http: () throws -> HTTPClient,
        inbound: InboundMessageHandler?,
        logger providerLogger: Logger
    ) throws -> any Provider {
            switch provider.kind {
            case .twilio(let settings):
                return CloudProvider.twilio(id: provider.id, settings: settings, publicURL: publicURL, http: try http(), logger: providerLogger)
            case .vonage(let settings):
                return CloudProvider.vonage(id: provider.id, settings: settings, publicURL: publicURL, http: try http(), logger: providerLogger)
            case .sns(let settings):
                return CloudProvider.sns(id: provider.id, settings: settings, http: try http(), logger: providerLogger)
            case .smpp(let settings):
                let smpp = try SMPPProvider(id: provider.id, settings: settings, logger: providerLogger)
                if let inbound {
                    let providerID = provider.id
                    smpp.onInbound = { sms in await inbound(InboundMessage(sms, providerID: providerID)) }
                }
                return smpp
            case .modem(let settings):
                return ModemProvider(id: provider.id, settings: settings, logger: providerLogger, inbound: inbound)
            }
    }
}
