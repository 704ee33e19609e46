import Foundation

/// libFuzzer entry point: feeds arbitrary text to the config loader (libyaml, then the decoder
/// and its validation), as `lifeline config check` and the daemon's start do.
///
/// Properties checked: nothing traps, and every rejection names at least one issue with a
/// message. A config that loads renders (`renderEffective`) to YAML that loads again and renders
/// to the same text, so `lifeline config check` never prints an effective config it would reject.
/// The render masks every secret, which would not pass validation again, so before the reload
/// each masked value is replaced with a valid stand-in (`unmasked`), and the renders are compared
/// without the comments that name each secret's source.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let environment = ["LIFELINE_FUZZ_TOKEN": "fuzz-token-value", "EMPTY": ""]
    let loaded: LoadedConfig
    do {
        loaded = try LifelineConfig.parse(yaml: text, fileName: "/nonexistent/lifeline-fuzz.yaml", environment: environment)
    } catch {
        precondition(!error.issues.isEmpty, "a rejected config names no issue")
        for issue in error.issues {
            precondition(!issue.message.isEmpty, "an issue without a message")
        }
        return 0
    }
    let rendered = loaded.config.renderEffective()
    let reloadable = unmasked(rendered)
    let again: LoadedConfig
    do {
        again = try LifelineConfig.parse(yaml: reloadable, fileName: "/nonexistent/lifeline-fuzz.yaml", environment: environment)
    } catch {
        preconditionFailure("the effective config does not load again: \(error.issues)\n\(reloadable)")
    }
    let renderedAgain = again.config.renderEffective()
    precondition(
        withoutSecretSources(renderedAgain) == withoutSecretSources(rendered),
        "rendering is not stable:\n\(rendered)\n---\n\(renderedAgain)"
    )
    return 0
}

/// The masked secret as `renderEffective` writes it, quoted.
private let maskedValue = "\"\(Secret.mask)\""

/// Returns `yaml` with each masked secret replaced by a value its key accepts. A SIM PIN gets four
/// digits and an SMPP password eight characters. Any other secret gets a value of at least 16
/// characters that names its line, because two API tokens may not share a value.
private func unmasked(_ yaml: String) -> String {
    yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { number, line -> String in
        guard let range = line.range(of: maskedValue) else { return String(line) }
        let key = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let standIn =
            switch key {
            case "pin:": "\"1234\""
            case "password:": "\"pw123456\""
            default: "\"fuzz-secret-value-line-\(number)\""
            }
        return line.replacingCharacters(in: range, with: standIn)
    }.joined(separator: "\n")
}

/// Returns `yaml` without the `# from ...` comments after masked secrets, which name where each
/// secret came from and so differ after `unmasked` made every secret inline.
private func withoutSecretSources(_ yaml: String) -> String {
    yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
        guard let range = line.range(of: maskedValue + "  # from ") else { return String(line) }
        return String(line[..<range.lowerBound]) + maskedValue
    }.joined(separator: "\n")
}
