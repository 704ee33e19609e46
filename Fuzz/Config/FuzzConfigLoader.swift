/// libFuzzer entry point: feeds arbitrary text to the config loader (libyaml, then the decoder
/// and its validation), as `lifeline config check` and the daemon's start do.
///
/// Properties checked: nothing traps, and every rejection names at least one issue with a
/// message. A config that loads renders (`renderEffective`) to YAML that loads again and renders
/// to the same text, so `lifeline config check` never prints an effective config it would reject.
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
    let again: LoadedConfig
    do {
        again = try LifelineConfig.parse(yaml: rendered, fileName: "/nonexistent/lifeline-fuzz.yaml", environment: environment)
    } catch {
        preconditionFailure("the effective config does not load again: \(error.issues)\n\(rendered)")
    }
    let renderedAgain = again.config.renderEffective()
    precondition(renderedAgain == rendered, "rendering is not stable:\n\(rendered)\n---\n\(renderedAgain)")
    return 0
}
