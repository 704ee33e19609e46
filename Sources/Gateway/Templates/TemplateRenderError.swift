/// An error rendering a template for one recipient. Nothing is sent to that recipient.
public enum TemplateRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Variables the template uses that have no value (or an empty one) for this recipient.
    /// `recipient` is what the caller named it by: a number, a contact name, a CSV line.
    case missingVariables([String], recipient: String)

    public var description: String {
        switch self {
        case .missingVariables(_, let recipient):
            "\(recipient): \(reason): add the column to the contact list or give it with --var NAME=VALUE"
        }
    }

    /// The problem without the recipient: "no value for the template variable {seat}".
    public var reason: String {
        switch self {
        case .missingVariables(let names, _):
            let list = names.map { "{\($0)}" }.joined(separator: ", ")
            return "no value for the template \(names.count == 1 ? "variable" : "variables") \(list)"
        }
    }
}
