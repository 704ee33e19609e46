import Foundation
import SMSCodec

/// `lifeline sms inspect --text TEXT` and `lifeline sms decode HEX`: the tools an admin reaches
/// for when a handset shows the wrong characters.
struct SMSToolCommand: Subcommand {
    enum Action {
        case inspect(text: String, transliterate: Bool)
        case decode(hex: String, hasSMSC: Bool?)
    }

    let action: Action
    let json: Bool

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        json = arguments.flag("json")
        switch arguments.nextWord() {
        case "inspect":
            guard let text = try arguments.option("text") else {
                throw UsageError("sms inspect needs --text TEXT")
            }
            action = .inspect(text: text, transliterate: arguments.flag("transliterate"))
        case "decode":
            guard let hex = arguments.nextWord() else {
                throw UsageError("sms decode needs the PDU in hex, for example: lifeline sms decode 0001000B91...")
            }
            let withSMSC = arguments.flag("smsc")
            let withoutSMSC = arguments.flag("no-smsc")
            guard !(withSMSC && withoutSMSC) else { throw UsageError("give --smsc or --no-smsc, not both") }
            action = .decode(hex: hex, hasSMSC: withSMSC ? true : (withoutSMSC ? false : nil))
        default:
            throw UsageError("expected 'lifeline sms inspect --text TEXT' or 'lifeline sms decode HEX'")
        }
    }

    func run() async throws -> ExitCode {
        switch action {
        case .inspect(let original, let transliterate):
            var text = original
            if transliterate {
                let result = GSMTransliterator.transliterate(original)
                text = result.text
                if !json { print(Self.describe(result)) }
            }
            let inspection: SMSInspection
            do {
                inspection = try SMSInspection.inspect(text, options: SegmentPlanner.Options(maximumSegments: 255))
            } catch {
                throw InputError("\(error)")
            }
            printBlock(json ? try MessageListing.json(inspection) : inspection.renderText())
        case .decode(let hex, let hasSMSC):
            let description: TPDUDescription
            do {
                description = try TPDUDescription.decode(hex: hex, hasSMSC: hasSMSC)
            } catch {
                throw InputError("cannot decode the PDU: \(error)")
            }
            printBlock(json ? try MessageListing.json(description) : description.renderText())
        }
        return .success
    }

    /// Describes what transliteration changed, as a provider with `transliterate: true` would send it.
    static func describe(_ result: GSMTransliterator.Result) -> String {
        var lines = ["transliterated: \"\(result.text)\""]
        for replacement in result.replacements {
            lines.append("  position \(replacement.offset): \"\(replacement.original)\" -> \"\(replacement.replacement)\"")
        }
        if !result.untranslatable.isEmpty {
            lines.append("  no GSM form, stays UCS-2: " + result.untranslatable.map { "\"\($0)\"" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
