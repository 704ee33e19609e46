import Diagnostics

/// Masks every run of seven or more digits (with an optional leading `+`) in provider text, such
/// as Twilio's "The 'To' number +447700900123 is not a valid phone number", so that reasons can be
/// logged and stored above `debug`.
func maskingPhoneNumbers(in text: String) -> String {
    var result = ""
    var run = ""

    func flush() {
        let digits = run.filter(\.isNumber).count
        result += digits >= 7 ? redactedPhoneNumber(run) : run
        run = ""
    }

    for character in text {
        if character.isASCII, character.isNumber || (character == "+" && run.isEmpty) {
            run.append(character)
        } else {
            flush()
            result.append(character)
        }
    }
    flush()
    return result
}
