import Gateway

extension IntakeError {
    /// The API error for a rejected message, naming the request field at fault.
    var apiError: APIError {
        switch self {
        case .invalidNumber(_, let error):
            APIError(.invalidRecipient, error.description, field: "to")
        case .emptyText:
            APIError(.invalidValue, description, field: "text")
        case .textNotSendable:
            APIError(.textNotSendable, description, field: "text")
        }
    }

    /// The reason given for one bad entry of a broadcast's list.
    var recipientReason: String {
        switch self {
        case .invalidNumber(_, let error): error.description
        case .emptyText, .textNotSendable: description
        }
    }
}
