import Diagnostics
import SMSCodec

/// Wraps a provider whose config sets `transliterate: true`: replaces characters outside GSM 7-bit
/// that have a common GSM form (curly quotes, dashes, accented letters) before each send, so the
/// text stays in 7-bit segments on that provider. Characters with no GSM form stay, and the text
/// then goes out as UCS-2 as before.
///
/// The replacements and the segment counts before and after are logged at `debug` with the
/// message id; the text itself is not logged.
public final class TransliteratingProvider: Provider {
    let base: any Provider
    let logger: Logger

    public init(wrapping base: any Provider, logger: Logger) {
        self.base = base
        var logger = logger
        logger[metadataKey: "provider.id"] = base.id
        self.logger = logger
    }

    public var id: String { base.id }
    public var sendsDeliveryReports: Bool { base.sendsDeliveryReports }
    public var radio: ModemRadio? { base.radio }

    public func start(reports: @escaping DeliveryReportHandler) async {
        await base.start(reports: reports)
    }

    public func send(_ message: OutboundSMS) async -> SendOutcome {
        let result = GSMTransliterator.transliterate(message.text)
        guard !result.replacements.isEmpty else { return await base.send(message) }
        logger.debug("Text transliterated for GSM 7-bit", metadata: [
            "message.id": "\(message.messageID)",
            "sms.replacements": "\(result.replacements.count)",
            "sms.untranslatable": "\(result.untranslatable.count)",
            "sms.segments.before": segmentCount(message.text),
            "sms.segments.after": segmentCount(result.text),
        ])
        var transliterated = message
        transliterated.text = result.text
        return await base.send(transliterated)
    }

    public func probe() async -> ProbeResult {
        await base.probe()
    }

    public func waitUntilReady(timeout: Duration) async {
        await base.waitUntilReady(timeout: timeout)
    }

    public func stop() async {
        await base.stop()
    }

    private func segmentCount(_ text: String) -> String {
        (try? SegmentPlanner.plan(text, options: SegmentPlanner.Options(maximumSegments: 255))).map { "\($0.segments.count)" } ?? "?"
    }
}
